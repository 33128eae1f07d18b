// The EventBus seam: progress events and heartbeats (memory, or NATS).
import { AGENT_HEARTBEAT_SUBJECT } from "../../common/shards.ts";

export interface BusMessage {
  subject: string;
  data: Record<string, unknown>;
}

export interface Subscription {
  unsubscribe(): void;
}

export interface EventBus {
  /** Subjects are dot-separated, e.g. `c2i.job.<id>.progress`. */
  publish(subject: string, data: Record<string, unknown>): void;
  /** NATS-style patterns: `*` matches one token, `>` the rest. */
  subscribe(pattern: string, handler: (message: BusMessage) => void): Subscription;
  close(): Promise<void>;
}

export const subjects = {
  jobEvent: (jobId: string, event: string) => `c2i.job.${jobId}.${event}`,
  jobAll: (jobId: string) => `c2i.job.${jobId}.>`,
  agentHeartbeat: AGENT_HEARTBEAT_SUBJECT,
} as const;
