// The coordinator's Prometheus registry: pool observer, job-event listener, and job-state collector.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EventBus, Subscription } from "../events/types.ts";
import type { PoolObserver } from "../pool/remote.ts";
import type { JobRecord } from "../store/types.ts";
import { coordinatorMetricNames as n } from "./names.ts";

const PHASE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const SHARD_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const JOB_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

export class CoordinatorMetrics implements PoolObserver {
  readonly registry = new Registry();
  private readonly r = [this.registry];
  readonly jobs = new Gauge({ name: n.jobs, help: "Jobs by state", labelNames: ["state"], registers: this.r });
  readonly phaseSeconds = new Histogram({ name: n.phaseSeconds, help: "Phase wall time (s)", labelNames: ["phase"], buckets: PHASE_BUCKETS, registers: this.r });
  readonly shardsDispatched = new Counter({ name: n.shardsDispatched, help: "Shards sent to agents (every attempt)", labelNames: ["kind"], registers: this.r });
  readonly shardsRetried = new Counter({ name: n.shardsRetried, help: "Shards retried on another agent", labelNames: ["kind", "reason"], registers: this.r });
  readonly shardsFailed = new Counter({ name: n.shardsFailed, help: "Shards failed for good", labelNames: ["kind", "code"], registers: this.r });
  readonly shardsInFlight = new Gauge({ name: n.shardsInFlight, help: "Shards running on agents", registers: this.r });
  readonly agentsByState = new Gauge({ name: n.agents, help: "Agents by state", labelNames: ["state"], registers: this.r });
  readonly agentShardSeconds = new Histogram({ name: n.agentShardSeconds, help: "Shard round trip per agent (s)", labelNames: ["agent", "kind"], buckets: SHARD_BUCKETS, registers: this.r });
  readonly bestAccuracy = new Gauge({ name: n.bestAccuracy, help: "Best accuracy so far per running job", labelNames: ["job"], registers: this.r });
  readonly baselineAccuracy = new Gauge({ name: n.baselineAccuracy, help: "Baseline accuracy per running job", labelNames: ["job"], registers: this.r });
  private sub: Subscription | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: n.processPrefix });
    for (const state of ["idle", "busy", "lost"]) this.agentsByState.set({ state }, 0);
    this.shardsInFlight.set(0);
  }

  dispatched(kind: string): void {
    this.shardsDispatched.inc({ kind });
  }
  retried(kind: string, reason: string): void {
    this.shardsRetried.inc({ kind, reason });
  }
  failed(kind: string, code: string): void {
    this.shardsFailed.inc({ kind, code });
  }
  finished(kind: string, agent: string, seconds: number): void {
    this.agentShardSeconds.observe({ agent, kind }, seconds);
  }
  inFlight(count: number): void {
    this.shardsInFlight.set(count);
  }
  agents(byState: Record<string, number>): void {
    for (const [state, count] of Object.entries(byState)) this.agentsByState.set({ state }, count);
  }

  /** Follows job events (`c2i.job.<id>.phase|progress|state`) for phase times and accuracies. */
  listen(bus: EventBus): void {
    this.sub = bus.subscribe("c2i.job.*.*", (m) => {
      const [, , job, event] = m.subject.split(".");
      const d = m.data;
      if (!job) return;
      if (event === "phase" && d.status === "finished" && typeof d.ms === "number" && typeof d.phase === "string") {
        this.phaseSeconds.observe({ phase: d.phase }, d.ms / 1000);
      } else if (event === "progress") {
        const best = d.best as { accuracy?: unknown } | undefined;
        if (typeof best?.accuracy === "number") this.bestAccuracy.set({ job }, best.accuracy);
        if (typeof d.baseline === "number") this.baselineAccuracy.set({ job }, d.baseline);
      } else if (event === "state" && ["succeeded", "failed", "cancelled"].includes(String(d.state))) {
        this.bestAccuracy.remove({ job });
        this.baselineAccuracy.remove({ job });
      }
    });
  }

  /** Sets the jobs-by-state gauge from the store's records (called before each scrape). */
  countJobs(records: readonly JobRecord[]): void {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<string, number>;
    for (const r of records) counts[r.state] = (counts[r.state] ?? 0) + 1;
    for (const [state, count] of Object.entries(counts)) this.jobs.set({ state }, count);
  }

  close(): void {
    this.sub?.unsubscribe();
  }
}
