// EventBus over NATS core: JSON messages on c2i.* subjects; reconnects forever across server restarts.
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../../common/log.ts";
import { silentLogger } from "../../common/log.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { BusMessage, EventBus, Subscription } from "./types.ts";

export interface NatsOptions {
  /** Server URL(s), e.g. "nats://127.0.0.1:4222" (comma-separated for several). */
  servers: string;
  /** Path of a NATS .creds file (JWT + nkey seed). @default none */
  credsFile?: string;
  /** Token auth. @default none */
  token?: string;
  /** User/password auth. @default none */
  user?: string;
  pass?: string;
  /** TLS: CA to trust, and client cert/key for mutual TLS. @default plain TCP */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Connection name shown by the server's monitoring. @default "c2i" */
  name?: string;
  /** Wait between reconnect attempts, ms. @default 250 */
  reconnectTimeWaitMs?: number;
}

/** Connection options for @nats-io/transport-node: reconnect forever, creds/token/user/TLS as given. */
export function natsConnectionOptions(o: NatsOptions): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: o.servers.split(",").map((s) => s.trim()).filter(Boolean),
    name: o.name ?? "c2i",
    maxReconnectAttempts: -1,
    reconnectTimeWait: o.reconnectTimeWaitMs ?? 250,
    waitOnFirstConnect: false,
  };
  if (o.credsFile) opts.authenticator = credsAuthenticator(readFileSync(o.credsFile));
  if (o.token) opts.token = o.token;
  if (o.user) {
    opts.user = o.user;
    opts.pass = o.pass;
  }
  if (o.tls) opts.tls = { caFile: o.tls.caFile, certFile: o.tls.certFile, keyFile: o.tls.keyFile };
  return opts;
}

export async function connectNats(o: NatsOptions): Promise<NatsConnection> {
  try {
    return await connect(natsConnectionOptions(o));
  } catch (e) {
    throw new C2iError(ErrorCode.UNAVAILABLE, `cannot connect to NATS at ${o.servers}: ${(e as Error).message} (is nats-server running with -js? check --nats)`, { cause: e });
  }
}

/** Logs disconnects and reconnects: the one visible trace of a NATS blip. */
export function watchNatsStatus(nc: NatsConnection, log: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect") log.warn({ nats: s.type }, `NATS ${s.type}`);
    }
  })();
}

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
    if (this.owned && !this.nc.isClosed()) await this.nc.drain();
  }
}
