// ShardExecutor: runs prepare/score/evaluate shards one at a time over per-job caches; the agent's compute core.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Batching, Shard, ShardResult } from "../../common/shards.ts";
import type { LayerCacheCounts, SharedWorkCounts } from "../../common/local-agent-protocol.ts";
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import { resolveExecutorOptions, type ResolvedExecutorOptions, type ShardExecutorOptions } from "./executor-options.ts";
import { JobCache } from "./job-cache.ts";
import { runEvaluate } from "./run-evaluate.ts";
import { runPrepare } from "./run-prepare.ts";
import { runScore } from "./run-score.ts";

export type { ShardExecutorOptions } from "./executor-options.ts";

/** The job's batching (every agent computes a job with the same one); shards without it get this agent's defaults. */
function batchingOf(shard: Shard, options: ResolvedExecutorOptions): Batching {
  const b = shard.ref.batching ?? { batchSize: options.batchSize, chunkSize: options.chunkSize };
  for (const [name, v] of Object.entries(b)) {
    if (!Number.isInteger(v) || v < 1) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shard.shardId}: batching.${name} must be a positive integer, got ${v}`);
  }
  return b;
}

/**
 * Shards run strictly one after another (an evaluation edits the shared model in place), in arrival
 * order. Results depend only on the shard's content and the model, never on which shards came before:
 * caches hold values computed from the original weights and fixed sample chunks.
 */
export class ShardExecutor {
  private readonly options: ResolvedExecutorOptions;
  private readonly cache: JobCache;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<string>();
  private closed = false;

  constructor(options: ShardExecutorOptions) {
    this.options = resolveExecutorOptions(options);
    this.cache = new JobCache(this.options);
  }

  /** Run one shard; rejects with C2iError (JOB_CANCELLED when `signal` fires before it ends). */
  run(shard: Shard, signal?: AbortSignal): Promise<ShardResult> {
    if (this.closed) return Promise.reject(new C2iError(ErrorCode.INTERNAL, "the shard executor is closed"));
    this.pending.add(shard.shardId);
    const result = this.tail.then(() => this.execute(shard, signal));
    this.tail = result.catch(() => undefined);
    return result.finally(() => this.pending.delete(shard.shardId));
  }

  private async execute(shard: Shard, signal: AbortSignal | undefined): Promise<ShardResult> {
    if (signal?.aborted) throw new C2iError(ErrorCode.JOB_CANCELLED, `shard ${shard.shardId} was cancelled before it started`);
    const log = this.options.logger.child({ job: shard.ref.jobId, shard: shard.shardId, kind: shard.kind });
    const t0 = performance.now();
    const timings: Record<string, number> = {};
    const job = await this.cache.acquire(shard.ref);
    timings.loadMs = performance.now() - t0;
    const { chunkSize, batchSize } = batchingOf(shard, this.options);
    const ctx = { chunkSize, batchSize, signal, timings };
    let result: ShardResult;
    switch (shard.kind) {
      case "prepare":
        result = runPrepare(shard, job, timings);
        break;
      case "score":
        result = await runScore(shard, job, ctx);
        break;
      case "evaluate":
        result = await runEvaluate(shard, job, ctx);
        break;
      default:
        throw new C2iError(ErrorCode.INVALID_ARGUMENT, `unknown shard kind ${(shard as { kind: unknown }).kind}`);
    }
    timings.totalMs = performance.now() - t0;
    log.debug({ ms: Math.round(timings.totalMs) }, "shard done");
    return result;
  }

  /** Forget a job's caches (its model too, when no other job uses it). */
  dropJob(jobId: string): boolean {
    return this.cache.drop(jobId);
  }

  /** Drop the caches of jobs idle longer than `jobIdleMs` (the owner calls this on a timer). */
  sweepIdle(): void {
    this.cache.sweep();
  }

  /** Shard ids queued or running. */
  inFlight(): string[] {
    return [...this.pending];
  }

  cachedJobs(): string[] {
    return this.cache.jobIds();
  }

  cachedModels(): string[] {
    return this.cache.modelDirs();
  }

  /** What jobs on the same model shared: model loads and SVD factor lookups from the caches, factor bytes held. */
  sharedWorkStats(): SharedWorkCounts {
    return this.cache.sharedWorkStats();
  }

  /** The layer caches of every cached job, summed (batch counts include dropped jobs). */
  layerCacheStats(): LayerCacheCounts {
    return this.cache.layerCacheStats();
  }

  /** The memory budget and the plans of the loaded models (common/memory-plan.ts); undefined without a budget. */
  memoryBudget(): MemoryBudgetReport | undefined {
    return this.cache.memoryBudget();
  }

  /** Waits for the running shard, then frees every cache. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    this.cache.close();
  }
}
