// EventBus over NATS core: JSON messages on c2i.* subjects; reconnects forever across server restarts.
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../../common/log.ts";
import { silentLogger } from "../../common/log.ts";
import { closeNats, connectNats, watchNatsStatus, type NatsOptions } from "../../common/nats.ts";
import type { BusMessage, EventBus, Subscription } from "./types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class NatsEventBus implements EventBus {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly owned: boolean,
    private readonly log: Logger,
  ) {}

  /** Opens (and owns) a connection. */
  static async connect(options: NatsOptions, log: Logger = silentLogger()): Promise<NatsEventBus> {
    const nc = await connectNats(options);
    watchNatsStatus(nc, log);
    return new NatsEventBus(nc, true, log);
  }

  /** Borrows a connection the caller opened and will close. */
  static over(nc: NatsConnection, log: Logger = silentLogger()): NatsEventBus {
    return new NatsEventBus(nc, false, log);
  }

  publish(subject: string, data: Record<string, unknown>): void {
    if (this.nc.isClosed()) return;
    this.nc.publish(subject, encoder.encode(JSON.stringify(data)));
  }

  subscribe(pattern: string, handler: (message: BusMessage) => void): Subscription {
    const sub = this.nc.subscribe(pattern, {
      callback: (err, msg) => {
        if (err) {
          this.log.warn({ err: err.message, pattern }, "NATS subscription error");
          return;
        }
        let data: Record<string, unknown>;
        try {
          data = JSON.parse(decoder.decode(msg.data)) as Record<string, unknown>;
        } catch {
          this.log.warn({ subject: msg.subject }, "dropped a non-JSON message");
          return;
        }
        handler({ subject: msg.subject, data });
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /** Resolves once everything published so far reached the server. */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.owned) await closeNats(this.nc);
  }
}
