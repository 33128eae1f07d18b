// Executes one job's phase plan: dispatch shards, store each result once, publish progress, build result.json.
import type { Logger } from "../../common/log.ts";
import type { Evaluation, Shard, ShardResult } from "../../common/shards.ts";
import { subjects, type EventBus } from "../events/types.ts";
import type { JobContext } from "../plan/context.ts";
import { phases } from "../plan/phases.ts";
import { buildResult, type AgentSummary, type PhaseTiming, type ResultDocument } from "../plan/result.ts";
import { compareMetrics } from "../plan/select.ts";
import type { JobSpec } from "../plan/spec.ts";
import { phasesFor } from "../plan/strategies.ts";
import type { AgentPool, RunOptions } from "../pool/types.ts";
import type { JobStore } from "../store/types.ts";
import { dispatchShards } from "./dispatch.ts";
import { JobEvent, type BestSoFar, type PhaseEvent, type ProgressEvent } from "./events.ts";

export interface RunnerDeps {
  store: JobStore;
  bus: EventBus;
  pool: AgentPool;
  logger: Logger;
  versions: Record<string, string>;
  /** Per-shard options handed to the pool (deadline, retry callback). */
  run?: Omit<RunOptions, "signal">;
  /** Monotonic clock in ms. @default performance.now */
  now?: () => number;
}

function better(best: BestSoFar | undefined, e: Evaluation): BestSoFar | undefined {
  if (!e.candidate || e.stoppedEarly) return best;
  if (best && compareMetrics(best, e) <= 0) return best;
  return { candidate: e.candidate, accuracy: e.accuracy, loss: e.loss };
}

/**
 * Run (or resume) a job to its result. Shards already in the store are reused, never rerun or
 * recounted; the plan is replayed from them, so the result equals an uninterrupted run's.
 */
export async function runJob(jobId: string, spec: JobSpec, deps: RunnerDeps, signal: AbortSignal): Promise<ResultDocument> {
  const now = deps.now ?? (() => performance.now());
  const log = deps.logger.child({ job: jobId });
  const publish = (event: string, data: object) => deps.bus.publish(subjects.jobEvent(jobId, event), { job: jobId, ...data });
  const started = now();
  const done = await deps.store.shardResults(jobId);
  const plan = phasesFor(spec.settings);
  const timings: PhaseTiming[] = [];
  let ctx: JobContext = { jobId, spec };
  let best: BestSoFar | undefined;
  // Exact early stopping: the most correct answers of a complete candidate evaluation so far on the selection
  // set. A candidate that cannot reach it cannot be chosen, so stopping it never changes the chosen edit.
  let bestCorrect = 0;
  const tighten = (s: Shard): Shard =>
    s.kind === "evaluate" && s.earlyStopTarget !== undefined && bestCorrect > s.earlyStopTarget ? { ...s, earlyStopTarget: bestCorrect } : s;
  const note = (e: Evaluation) => {
    best = better(best, e);
    if (e.candidate && !e.stoppedEarly) bestCorrect = Math.max(bestCorrect, e.correct);
  };

  for (const [p, name] of plan.entries()) {
    const phase = phases[name];
    const t0 = now();
    await deps.store.update(jobId, (r) => ({ ...r, phase: name, updatedAt: new Date().toISOString() }));
    const shards = phase.shards(ctx);
    const reused = shards.filter((s) => done.has(s.shardId)).length;
    const head: Omit<PhaseEvent, "status" | "job"> = { phase: name, index: p + 1, of: plan.length, shards: shards.length, reused };
    publish(JobEvent.phase, { ...head, status: "started" });
    log.info({ phase: name, shards: shards.length, reused }, "phase started");

    let finished = reused;
    const fresh = now();
    const capacity = Math.max(1, deps.pool.agents().filter((a) => a.state !== "lost").reduce((n, a) => n + a.capacity, 0));
    const progress = (): Omit<ProgressEvent, "job"> => {
      const ran = finished - reused;
      const left = shards.length - finished;
      const ev: Omit<ProgressEvent, "job"> = { phase: name, done: finished, total: shards.length };
      if (ran > 0) ev.etaMs = Math.round(((now() - fresh) / ran) * left);
      if (ctx.baseline) ev.baseline = ctx.baseline.selection.accuracy;
      if (best) ev.best = best;
      return ev;
    };
    for (const s of shards) {
      const r = done.get(s.shardId);
      if (r?.kind === "evaluate" && name === "evaluate") for (const e of r.evaluations) note(e);
    }
    publish(JobEvent.progress, progress());
    const results = await dispatchShards(deps.pool, shards, {
      concurrency: capacity,
      done,
      signal,
      ...(deps.run ? { run: deps.run } : {}),
      ...(name === "evaluate" && spec.settings.earlyStop ? { prepare: tighten } : {}),
      onResult: async (_i, result: ShardResult) => {
        await deps.store.putShardResult(jobId, result);
        finished++;
        if (result.kind === "evaluate" && name === "evaluate") for (const e of result.evaluations) note(e);
        log.debug({ phase: name, shard: result.shardId }, "shard done");
        publish(JobEvent.progress, progress());
      },
    });
    ctx = phase.merge(ctx, results);
    const ms = now() - t0;
    timings.push({ name, ms, shards: shards.length, reused });
    publish(JobEvent.phase, { ...head, status: "finished", ms });
    log.info({ phase: name, ms: Math.round(ms) }, "phase finished");
  }

  const agents: AgentSummary[] = deps.pool.agents().map((a) => ({ id: a.id, address: a.address, backend: a.backend, svd: a.svd }));
  return buildResult(ctx, { phases: timings, totalMs: now() - started, agents, versions: deps.versions });
}
