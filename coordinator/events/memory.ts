// The embedded EventBus: NATS-style subjects and wildcards, delivered in publish order within one process.
import type { BusMessage, EventBus, Subscription } from "./types.ts";
import type { Logger } from "../../common/log.ts";

/** NATS matching: `*` is exactly one token, `>` (last) is one or more tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

export interface MemoryEventBusOptions {
  /** Where a throwing handler is reported (it never breaks the publisher). @default none (dropped) */
  logger?: Logger;
}

export class MemoryEventBusImpl implements EventBus {
  private readonly subs = new Set<{ pattern: string; handler: (m: BusMessage) => void }>();
  private closed = false;

  constructor(private readonly options: MemoryEventBusOptions = {}) {}

  /** Synchronous delivery, each handler gets its own copy (as if it came over the wire). */
  publish(subject: string, data: Record<string, unknown>): void {
    if (this.closed) return;
    for (const sub of [...this.subs]) {
      if (!subjectMatches(sub.pattern, subject)) continue;
      try {
        sub.handler({ subject, data: structuredClone(data) });
      } catch (e) {
        this.options.logger?.warn({ subject, err: e }, "event handler threw; event dropped for that subscriber");
      }
    }
  }

  subscribe(pattern: string, handler: (message: BusMessage) => void): Subscription {
    const sub = { pattern, handler };
    if (!this.closed) this.subs.add(sub);
    return { unsubscribe: () => void this.subs.delete(sub) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subs.clear();
  }
}
