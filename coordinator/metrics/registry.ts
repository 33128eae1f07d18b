// The coordinator's Prometheus registry: pool observer, job-event listener, and job-state collector.
// Labelled counters and histograms start at zero for every known label value, so rate()/increase() see the first event.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { isTransient } from "../../proto/status.ts";
import type { EventBus, Subscription } from "../events/types.ts";
import { PhaseName } from "../plan/strategies.ts";
import type { PoolObserver } from "../pool/remote.ts";
import type { JobRecord } from "../store/types.ts";
import { coordinatorMetricNames as n } from "./names.ts";
import { PerJobMetrics, type PerJobMetricsOptions } from "./per-job.ts";
import { SHARD_KINDS } from "../../common/shards.ts";

const PHASE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const SHARD_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const JOB_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
const ENDED = new Set(["succeeded", "failed", "cancelled"]);
const ERROR_CODES: readonly string[] = Object.values(ErrorCode);
/** Retry reasons are the codes the pool retries on. */
const RETRY_CODES = Object.values(ErrorCode).filter((code) => isTransient(new C2iError(code, "")));

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
  /** Series labelled `job_id` (phase, accuracies, candidates, queued shards). */
  readonly perJob: PerJobMetrics;
  private readonly seenAgents = new Set<string>();
  private sub: Subscription | undefined;

  constructor(options: PerJobMetricsOptions = {}) {
    this.perJob = new PerJobMetrics(this.registry, options);
    collectDefaultMetrics({ register: this.registry, prefix: n.processPrefix });
    for (const state of ["idle", "busy", "lost"]) this.agentsByState.set({ state }, 0);
    for (const state of JOB_STATES) this.jobs.set({ state }, 0);
    for (const phase of Object.values(PhaseName)) this.phaseSeconds.zero({ phase });
    for (const kind of SHARD_KINDS) {
      this.shardsDispatched.inc({ kind }, 0);
      for (const reason of RETRY_CODES) this.shardsRetried.inc({ kind, reason }, 0);
      for (const code of ERROR_CODES) this.shardsFailed.inc({ kind, code }, 0);
    }
    this.shardsInFlight.set(0);
  }

  dispatched(kind: string, agent?: string): void {
    if (agent !== undefined && !this.seenAgents.has(agent)) {
      // An agent's latency series start at zero on its first shard, before the first one finishes.
      this.seenAgents.add(agent);
      for (const k of SHARD_KINDS) this.agentShardSeconds.zero({ agent, kind: k });
    }
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
  jobInFlight(jobId: string, count: number): void {
    this.perJob.inFlight(jobId, count);
  }
  evaluated(jobId: string, candidates: number): void {
    this.perJob.evaluated(jobId, candidates);
  }

  /** Follows job events (`c2i.job.<id>.phase|progress|state`) for phase times, the job's phase, queue and accuracies. */
  listen(bus: EventBus): void {
    this.sub = bus.subscribe("c2i.job.*.*", (m) => {
      const [, , job, event] = m.subject.split(".");
      const d = m.data;
      if (!job) return;
      if (event === "phase" && typeof d.phase === "string") {
        if (d.status === "started") this.perJob.enteredPhase(job, d.phase, Math.max(0, num(d.shards) - num(d.reused)));
        else if (d.status === "finished" && typeof d.ms === "number") this.phaseSeconds.observe({ phase: d.phase }, d.ms / 1000);
      } else if (event === "progress") {
        const best = d.best as { accuracy?: unknown } | undefined;
        this.perJob.progress(job, Math.max(0, num(d.total) - num(d.done)),
          typeof best?.accuracy === "number" ? best.accuracy : undefined, typeof d.baseline === "number" ? d.baseline : undefined);
      } else if (event === "state") {
        if (ENDED.has(String(d.state))) this.perJob.finished(job);
        else this.perJob.started(job);
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

function num(x: unknown): number {
  return typeof x === "number" && Number.isFinite(x) ? x : 0;
}
