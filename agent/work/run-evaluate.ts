// The evaluate shard: each candidate applied temporarily (truncate cached factors → swap in → evaluate → restore).
import type { Evaluation, EvaluateResult, EvaluateShard } from "../../common/shards.ts";
import { truncateFactored } from "../linalg/factorizations/factorize.ts";
import { encodedTaskFor, type TaskRunOptions } from "../tasks/run.ts";
import { checkpointCancel, chunks, evaluateChunked } from "./chunked.ts";
import { editDetails, factoredFor, prepareTransforms } from "./factored.ts";
import type { JobState } from "./job-cache.ts";
import { taskKey } from "./layer-cache.ts";
import { checkSamples, taskRunOptions } from "./run-options.ts";
import type { StepContext } from "./run-score.ts";

/** Shards with at least this many edits warm the layer cache for their sample set (one extra forward, saved back many times). */
const WARM_AT_EDITS = 2;

/** Keep the hidden states entering each layer for the shard's samples, from the (unedited) model. */
function warmLayers(job: JobState, indices: readonly number[], run: TaskRunOptions, chunkSize: number): void {
  const parts = chunks(indices, chunkSize);
  const tasks = parts.map((part) => ({ key: taskKey(part, run), batches: encodedTaskFor(job.loaded.model, job.loaded.tokenizer, job.dataset, part, { ...run, cache: job.encoding }).batches }));
  job.layers.warm(`${taskKey(indices, run)}|${chunkSize}`, tasks);
}

export async function runEvaluate(shard: EvaluateShard, job: JobState, ctx: StepContext): Promise<EvaluateResult> {
  checkSamples(shard.samples, job, shard.shardId, shard.ref.calibration);
  const run = taskRunOptions(shard.ref, ctx.batchSize);
  const chunkOptions = { chunkSize: ctx.chunkSize, run, signal: ctx.signal, shardId: shard.shardId };
  const evaluations: Evaluation[] = [];
  const time = (key: string, since: number) => (ctx.timings[key] = (ctx.timings[key] ?? 0) + (performance.now() - since));
  for (const c of shard.candidates) if (c !== null) job.loaded.info(c.matrix);
  await prepareTransforms(job, shard.ref, [...new Set(shard.candidates.flatMap((c) => (c === null ? [] : [c.matrix])))], shard.ref.calibration, ctx, shard.shardId);
  const layered = job.layers.enabled;
  if (layered && shard.candidates.filter((c) => c !== null).length >= WARM_AT_EDITS) {
    await checkpointCancel(ctx.signal, shard.shardId);
    const t0 = performance.now();
    warmLayers(job, shard.samples.indices, run, ctx.chunkSize);
    time("layerCacheMs", t0);
  }
  const numLayers = job.loaded.model.config.numLayers;
  for (const candidate of shard.candidates) {
    await checkpointCancel(ctx.signal, shard.shardId);
    if (candidate === null) {
      const t0 = performance.now();
      const r = await evaluateChunked(job, shard.samples.indices, shard.earlyStopTarget, { ...chunkOptions, ...(layered ? { editedLayer: numLayers } : {}) });
      time("evaluateMs", t0);
      evaluations.push({ candidate: null, ...r });
      continue;
    }
    const info = job.loaded.info(candidate.matrix);
    let t0 = performance.now();
    const f = factoredFor(job, shard.ref, candidate.matrix, candidate.blocks, shard.ref.calibration, ctx.batchSize);
    time("svdMs", t0);
    t0 = performance.now();
    const { weight, keptRanks } = truncateFactored(f, candidate.rate);
    time("truncateMs", t0);
    t0 = performance.now();
    const r = await job.loaded.withEdit(candidate.matrix, weight, () =>
      evaluateChunked(job, shard.samples.indices, shard.earlyStopTarget, { ...chunkOptions, ...(layered ? { editedLayer: info.layer } : {}) }),
    );
    time("evaluateMs", t0);
    const details = shard.describeEdits ? editDetails(f, candidate.matrix) : undefined;
    evaluations.push({ candidate: { ...candidate }, ...r, keptRanks, ...(details ? { details } : {}) });
  }
  return { kind: "evaluate", shardId: shard.shardId, evaluations, timings: ctx.timings };
}
