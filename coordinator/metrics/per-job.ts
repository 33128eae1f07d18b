// Per-job series (label `job_id`): phase, accuracies, candidates evaluated, queued shards; created when a job
// starts, removed when it ends so finished jobs do not pile up in /metrics.
import { Counter, Gauge, type Registry } from "prom-client";
import { PhaseName } from "../plan/strategies.ts";
import { coordinatorMetricNames as n } from "./names.ts";

const PHASES: readonly string[] = Object.values(PhaseName);

export interface PerJobMetricsOptions {
  /** How long a finished job's candidates counter stays exported, so a scrape after the end sees its last increments, ms. @default 300000 */
  retainFinishedMs?: number;
  /** Clock in ms. @default Date.now */
  now?: () => number;
}

export class PerJobMetrics {
  readonly bestAccuracy: Gauge<"job_id">;
  readonly baselineAccuracy: Gauge<"job_id">;
  readonly phase: Gauge<"job_id" | "phase">;
  readonly candidates: Counter<"job_id">;
  readonly pending: Gauge<"job_id">;
  /** Job → shards of its current phase not yet finished (from progress events). */
  private readonly remaining = new Map<string, number>();
  /** Job → shards running on agents (from the pool). */
  private readonly running = new Map<string, number>();
  /** Job → phase label values it has series for. */
  private readonly phases = new Map<string, Set<string>>();
  /** Ended job → when, for the candidates counter's retention. */
  private readonly ended = new Map<string, number>();
  private readonly retainMs: number;
  private readonly now: () => number;

  constructor(registry: Registry, options: PerJobMetricsOptions = {}) {
    this.retainMs = options.retainFinishedMs ?? 300_000;
    this.now = options.now ?? Date.now;
    const registers = [registry];
    this.bestAccuracy = new Gauge({ name: n.bestAccuracy, help: "Best accuracy so far per running job", labelNames: ["job_id"], registers });
    this.baselineAccuracy = new Gauge({ name: n.baselineAccuracy, help: "Baseline accuracy per running job", labelNames: ["job_id"], registers });
    this.phase = new Gauge({ name: n.jobPhase, help: "1 for the phase a running job is in, 0 for its other phases", labelNames: ["job_id", "phase"], registers });
    this.candidates = new Counter({
      name: n.candidatesEvaluated, help: "Candidates evaluated per job (edits, not the baseline)", labelNames: ["job_id"], registers,
      collect: () => this.prune(),
    });
    this.pending = new Gauge({
      name: n.shardsPending, help: "Shards of a running job's current phase neither finished nor on an agent", labelNames: ["job_id"], registers,
      collect: () => this.setPending(),
    });
  }

  /** A job is queued or running: its series exist from now on (the counter at 0, so increase() sees the first candidate). */
  started(job: string): void {
    this.ended.delete(job);
    this.candidates.inc({ job_id: job }, 0);
    if (!this.remaining.has(job)) this.remaining.set(job, 0);
    if (this.phases.has(job)) return;
    this.phases.set(job, new Set(PHASES));
    for (const phase of PHASES) this.phase.set({ job_id: job, phase }, 0);
  }

  enteredPhase(job: string, phase: string, remaining: number): void {
    this.started(job);
    const known = this.phases.get(job)!.add(phase);
    for (const p of known) this.phase.set({ job_id: job, phase: p }, p === phase ? 1 : 0);
    this.remaining.set(job, remaining);
  }

  progress(job: string, remaining: number, best: number | undefined, baseline: number | undefined): void {
    if (this.ended.has(job)) return;
    this.remaining.set(job, remaining);
    if (best !== undefined) this.bestAccuracy.set({ job_id: job }, best);
    if (baseline !== undefined) this.baselineAccuracy.set({ job_id: job }, baseline);
  }

  inFlight(job: string, count: number): void {
    if (count > 0) this.running.set(job, count);
    else this.running.delete(job);
  }

  evaluated(job: string, count: number): void {
    this.candidates.inc({ job_id: job }, count);
  }

  /** The job ended: its gauges go now, its counter after `retainFinishedMs`. */
  finished(job: string): void {
    this.ended.set(job, this.now());
    this.remaining.delete(job);
    this.bestAccuracy.remove({ job_id: job });
    this.baselineAccuracy.remove({ job_id: job });
    this.pending.remove({ job_id: job });
    for (const phase of this.phases.get(job) ?? []) this.phase.remove({ job_id: job, phase });
    this.phases.delete(job);
  }

  private prune(): void {
    const cutoff = this.now() - this.retainMs;
    for (const [job, at] of this.ended) {
      if (at > cutoff) continue;
      this.candidates.remove({ job_id: job });
      this.ended.delete(job);
    }
  }

  private setPending(): void {
    this.pending.reset();
    for (const [job, left] of this.remaining) this.pending.set({ job_id: job }, Math.max(0, left - (this.running.get(job) ?? 0)));
  }
}

