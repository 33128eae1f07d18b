// The evaluate shard: each candidate applied temporarily (truncate cached factors → swap in → evaluate → restore).
import type { Evaluation, EvaluateResult, EvaluateShard } from "../../common/shards.ts";
import { truncateBlocks } from "../linalg/blocks.ts";
import { checkpointCancel, evaluateChunked } from "./chunked.ts";
import type { JobState } from "./job-cache.ts";
import { checkSamples, taskRunOptions } from "./run-options.ts";
import type { StepContext } from "./run-score.ts";

export async function runEvaluate(shard: EvaluateShard, job: JobState, ctx: StepContext): Promise<EvaluateResult> {
  checkSamples(shard.samples, job, shard.shardId);
  const run = taskRunOptions(shard.ref, ctx.batchSize);
  const chunkOptions = { chunkSize: ctx.chunkSize, run, signal: ctx.signal, shardId: shard.shardId };
  const evaluations: Evaluation[] = [];
  const time = (key: string, since: number) => (ctx.timings[key] = (ctx.timings[key] ?? 0) + (performance.now() - since));
  for (const candidate of shard.candidates) {
    await checkpointCancel(ctx.signal, shard.shardId);
    if (candidate === null) {
      const t0 = performance.now();
      const r = await evaluateChunked(job, shard.samples.indices, shard.earlyStopTarget, chunkOptions);
      time("evaluateMs", t0);
      evaluations.push({ candidate: null, ...r });
      continue;
    }
    job.loaded.info(candidate.matrix);
    let t0 = performance.now();
    const f = job.loaded.factorsFor(candidate.matrix, candidate.blocks);
    time("svdMs", t0);
    t0 = performance.now();
    const { weight, keptRanks } = truncateBlocks(f, candidate.rate);
    time("truncateMs", t0);
    t0 = performance.now();
    const r = await job.loaded.withEdit(candidate.matrix, weight, () =>
      evaluateChunked(job, shard.samples.indices, shard.earlyStopTarget, chunkOptions),
    );
    time("evaluateMs", t0);
    evaluations.push({ candidate: { ...candidate }, ...r, keptRanks });
  }
  return { kind: "evaluate", shardId: shard.shardId, evaluations, timings: ctx.timings };
}
