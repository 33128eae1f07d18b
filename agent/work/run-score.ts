// The score shard: σ-gradients and scores per (matrix, K) (METHOD.md) from one gradient pass — projected onto each
// part's smallest singular pairs when the weights are in host memory, else from ∂L/∂W cached per (job, sample set).
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { MatrixScore, SampleSelection, ScoreResult, ScoreShard } from "../../common/shards.ts";
import type { SvdResult } from "../linalg/svd/types.ts";
import { scoreMatrix } from "../linalg/blocks.ts";
import { factoredSigmaGradients } from "../linalg/factorizations/factorize.ts";
import { fromFloat32 } from "../linalg/matrix.ts";
import { sigmaProbes, type SigmaProbes } from "../linalg/sigma-projection.ts";
import { canProjectSigmas } from "../models/sigma-sum.ts";
import { checkpointCancel, gradientChunked, sigmaChunked } from "./chunked.ts";
import { factoredFor, prepareTransforms } from "./factored.ts";
import type { GradientSet, JobState } from "./job-cache.ts";
import { checkDistinct, checkSamples, sampleKey, taskRunOptions } from "./run-options.ts";

export interface StepContext {
  chunkSize: number;
  batchSize: number;
  signal?: AbortSignal;
  timings: Record<string, number>;
}

function add(timings: Record<string, number>, key: string, since: number): void {
  timings[key] = (timings[key] ?? 0) + (performance.now() - since);
}

/** ∂L/∂W for `matrices` on the shard's samples, running a pass only for the matrices not yet cached. */
export async function gradientsFor(job: JobState, shard: ScoreShard, ctx: StepContext): Promise<GradientSet> {
  const run = taskRunOptions(shard.ref, ctx.batchSize);
  const key = sampleKey(shard.samples, run);
  let set = job.gradients.get(key);
  const missing = shard.matrices.filter((m) => !set?.grads.has(m));
  if (missing.length > 0) {
    const t0 = performance.now();
    const r = await gradientChunked(job, shard.samples.indices, missing, { chunkSize: ctx.chunkSize, run, signal: ctx.signal, shardId: shard.shardId });
    add(ctx.timings, "gradientMs", t0);
    if (!set) {
      set = { loss: r.loss, n: shard.samples.indices.length, grads: new Map() };
      job.gradients.set(key, set);
    }
    for (const [name, g] of r.grads) set.grads.set(name, g);
  }
  return set!;
}

export async function runScore(shard: ScoreShard, job: JobState, ctx: StepContext): Promise<ScoreResult> {
  checkSamples(shard.samples, job, shard.shardId, shard.ref.calibration);
  const smallest = shard.smallest ?? 20;
  if (!Number.isInteger(smallest) || smallest < 1) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shard.shardId}: smallest = ${smallest} must be a positive integer (default 20)`);
  }
  checkDistinct(shard.matrices, "matrices", shard.shardId);
  checkDistinct(shard.blockCounts, "block counts", shard.shardId);
  for (const m of shard.matrices) job.loaded.info(m);
  const calibration = shard.ref.calibration ?? shard.samples;
  if (canProjectSigmas(job.loaded.model)) return scoreByProjection(shard, job, ctx, smallest, calibration);
  const set = await gradientsFor(job, shard, ctx);
  await prepareTransforms(job, shard.ref, shard.matrices, calibration, ctx, shard.shardId);
  const scores: MatrixScore[] = [];
  for (const matrix of shard.matrices) {
    const info = job.loaded.info(matrix);
    const g = fromFloat32(info.rows, info.cols, set.grads.get(matrix)!);
    for (const blocks of shard.blockCounts) {
      await checkpointCancel(ctx.signal, shard.shardId);
      let t0 = performance.now();
      const f = factoredFor(job, shard.ref, matrix, blocks, calibration, ctx.batchSize);
      add(ctx.timings, "svdMs", t0);
      t0 = performance.now();
      const s = scoreMatrix(f.factors, factoredSigmaGradients(f, g, smallest), smallest);
      add(ctx.timings, "scoreMs", t0);
      scores.push({ matrix, blocks, score: s.score, smallest: s.smallest });
    }
  }
  return { kind: "score", shardId: shard.shardId, loss: set.loss, scores, timings: ctx.timings };
}

/**
 * The score with weights in host memory: every (matrix, K) is factored first, then one pass sums the σ-gradients
 * of each factorization's smallest pairs from the tokens' projections (agent/linalg/sigma-projection.ts), so no
 * m×n gradient exists. Equal to the ∂L/∂W path up to float32 rounding (test/work/sigma-score.test.ts).
 */
async function scoreByProjection(shard: ScoreShard, job: JobState, ctx: StepContext, smallest: number, calibration: SampleSelection): Promise<ScoreResult> {
  await prepareTransforms(job, shard.ref, shard.matrices, calibration, ctx, shard.shardId);
  // Only the probes (r singular pairs per part) and the singular values are kept here; the factor cache holds what
  // fits its bound (a 1B model's full factors at K = 1 and 2 would need ~38 GB, its smallest-triplet ones ~0.4 GB).
  const probes = new Map<string, SigmaProbes[]>();
  const spectra = new Map<string, { parts: { svd: Pick<SvdResult, "s" | "partial"> }[] }[]>();
  // Only the smallest triplets are read here; full factors are made for the candidates an evaluation truncates.
  const partial = job.loaded.smallestSvd(smallest);
  for (const matrix of shard.matrices) {
    probes.set(matrix, []);
    spectra.set(matrix, []);
    for (const blocks of shard.blockCounts) {
      await checkpointCancel(ctx.signal, shard.shardId);
      const t0 = performance.now();
      const f = factoredFor(job, shard.ref, matrix, blocks, calibration, ctx.batchSize, partial);
      add(ctx.timings, "svdMs", t0);
      probes.get(matrix)!.push(sigmaProbes(f, smallest));
      spectra.get(matrix)!.push({ parts: f.factors.parts.map((p) => ({ svd: { s: p.svd.s, ...(p.svd.partial ? { partial: p.svd.partial } : {}) } })) });
    }
  }
  let t0 = performance.now();
  const run = taskRunOptions(shard.ref, ctx.batchSize);
  const r = await sigmaChunked(job, shard.samples.indices, probes, { chunkSize: ctx.chunkSize, run, signal: ctx.signal, shardId: shard.shardId });
  add(ctx.timings, "gradientMs", t0);
  t0 = performance.now();
  const scores: MatrixScore[] = [];
  for (const matrix of shard.matrices) {
    spectra.get(matrix)!.forEach((f, i) => {
      const s = scoreMatrix(f, r.sigmas.get(matrix)![i]!, smallest);
      scores.push({ matrix, blocks: shard.blockCounts[i]!, score: s.score, smallest: s.smallest });
    });
  }
  add(ctx.timings, "scoreMs", t0);
  return { kind: "score", shardId: shard.shardId, loss: r.loss, scores, timings: ctx.timings };
}
