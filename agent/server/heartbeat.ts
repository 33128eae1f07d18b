// Announces the agent on `c2i.agent.heartbeat` every interval and on every load change; the
// coordinator sweeps agents whose last heartbeat is too old (nats-server 2.9 has no KV TTLs).
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../../common/log.ts";
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import { AGENT_HEARTBEAT_SUBJECT } from "../../common/shards.ts";

/** The heartbeat document; the coordinator's pool reads exactly these fields. */
export interface Heartbeat {
  id: string;
  /** gRPC address the coordinator dials. */
  address: string;
  backend: string;
  svd: string;
  device: string;
  capacity: number;
  inFlight: number;
  cachedModels: string[];
  /** The memory budget and the plans of the cached models (named as in `cachedModels`); absent without a budget. */
  memoryBudget?: MemoryBudgetReport;
  /** Milliseconds since the epoch on the agent's clock (for logs; the pool uses its own receive time). */
  sentAt: number;
  /** Increases with every heartbeat of one agent process. */
  seq: number;
  /** Set on the last heartbeat of an agent that shuts down cleanly. */
  leaving?: boolean;
}

export interface HeartbeatOptions {
  /** @default 1000 ms */
  intervalMs?: number;
  /** Load changes beat early, but at most once per this gap (many short shards would flood NATS). @default 100 ms */
  minGapMs?: number;
}

export class Heartbeater {
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  private lastBeat = 0;
  private nudgeTimer: NodeJS.Timeout | undefined;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly state: () => Omit<Heartbeat, "sentAt" | "seq">,
    private readonly log: Logger,
    private readonly options: HeartbeatOptions = {},
  ) {}

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.intervalMs ?? 1_000);
  }

  /** A load change: beat soon (coalesced), so the pool's view of load and caches stays fresh. */
  nudge(): void {
    if (this.nudgeTimer || !this.timer) return;
    const wait = Math.max(0, this.lastBeat + (this.options.minGapMs ?? 100) - Date.now());
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = undefined;
      this.beat();
    }, wait);
  }

  /** Publishes now. */
  beat(extra: Partial<Heartbeat> = {}): void {
    if (this.nc.isClosed()) return;
    this.lastBeat = Date.now();
    const hb: Heartbeat = { ...this.state(), sentAt: Date.now(), seq: ++this.seq, ...extra };
    try {
      this.nc.publish(AGENT_HEARTBEAT_SUBJECT, this.encoder.encode(JSON.stringify(hb)));
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "heartbeat not sent");
    }
  }

  /** Stops beating and tells the coordinator this agent is leaving. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.nudgeTimer) clearTimeout(this.nudgeTimer);
    this.timer = undefined;
    this.nudgeTimer = undefined;
    this.beat({ leaving: true });
    if (!this.nc.isClosed()) await this.nc.flush().catch(() => {});
  }
}
