// The factors score and evaluate shards read, for the job's factorization (svd | fwsvd | asvd) and row clustering.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { EditDetails, SampleSelection, ScoreShard, WorkRef } from "../../common/shards.ts";
import { inputStatistics } from "../compress/statistics.ts";
import { asvdTransform } from "../linalg/factorizations/activation.ts";
import type { FactoredMatrix } from "../linalg/factorizations/factorize.ts";
import { fisherRowScale, squaredGradient } from "../linalg/factorizations/fisher.ts";
import { kSubspacesDefaults } from "../linalg/factorizations/ksubspaces.ts";
import type { MatrixTransform } from "../linalg/factorizations/types.ts";
import type { SmallestSvd } from "../linalg/svd/smallest.ts";
import type { JobState } from "./job-cache.ts";
import { jobFactorKey } from "./loaded-model.ts";
import { factorSpecOf, isPlainSpec, sampleKey, taskRunOptions } from "./run-options.ts";
import { gradientsFor, type StepContext } from "./run-score.ts";

/**
 * Computes (once per job, calibration set and matrix) the transforms of `matrices`: FWSVD's row weights
 * √(row sums of G⊙G) from the job's gradient pass on the calibration samples (G is the mean gradient over
 * them: the one backward pass the method already makes stands in for the per-sample Fisher), or ASVD's
 * column scales mean|x|^0.5 from the matrices' inputs on those samples. Reads the original weights only.
 */
export async function prepareTransforms(job: JobState, ref: WorkRef, matrices: readonly string[], calibration: SampleSelection | undefined, ctx: StepContext, shardId: string): Promise<void> {
  const spec = factorSpecOf(ref);
  if (spec.factorization === "svd") return;
  if (!calibration) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shardId}: factorization ${spec.factorization} needs the job's calibration samples (WorkRef.calibration: the adaptation set)`);
  }
  const run = taskRunOptions(ref, ctx.batchSize);
  const base = `${spec.factorization}|${sampleKey(calibration, run)}`;
  const missing = matrices.filter((m) => !job.transforms.has(`${base}|${m}`));
  if (missing.length === 0) return;
  if (spec.factorization === "fwsvd") {
    const pseudo: ScoreShard = { kind: "score", shardId, ref, samples: calibration, matrices: missing, blockCounts: [1], smallest: 1 };
    const set = await gradientsFor(job, pseudo, ctx);
    for (const m of missing) {
      const info = job.loaded.info(m);
      job.transforms.set(`${base}|${m}`, { rowScale: fisherRowScale(squaredGradient(set.grads.get(m)!), info.rows, info.cols) });
    }
    return;
  }
  const t0 = performance.now();
  const stats = inputStatistics(job.loaded.model, job.loaded.tokenizer, job.dataset, calibration.indices, missing, { run, withGram: false });
  ctx.timings.activationsMs = (ctx.timings.activationsMs ?? 0) + performance.now() - t0;
  for (const m of missing) job.transforms.set(`${base}|${m}`, asvdTransform(stats.get(m)!));
}

/** Factors of `matrix` at K = `blocks` for the job's spec; plain svd + blocks are the cached `factorsFor` factors. */
export function factoredFor(
  job: JobState,
  ref: WorkRef,
  matrix: string,
  blocks: number,
  calibration: SampleSelection | undefined,
  batchSize: number,
  /** Each part's smallest triplets only (the score's read), never truncated: agent/linalg/svd/smallest.ts. */
  partial?: SmallestSvd,
): FactoredMatrix {
  const spec = factorSpecOf(ref);
  const only = partial ? { partial } : {};
  if (isPlainSpec(spec)) return job.loaded.factoredFor(matrix, blocks, { clustering: "blocks", transform: {}, key: "", ...only });
  let transform: MatrixTransform = {};
  let key = "svd";
  if (spec.factorization !== "svd") {
    const statistics = `${spec.factorization}|${sampleKey(calibration!, taskRunOptions(ref, batchSize))}`;
    const t = job.transforms.get(`${statistics}|${matrix}`);
    if (!t) throw new C2iError(ErrorCode.INTERNAL, `no ${spec.factorization} transform for ${matrix}; prepareTransforms must run first`);
    transform = t;
    // The statistics come from this job's data: another job on the model may pick the same sample indices of
    // another dataset, so its factors are its own (plain and K-subspaces factors, from the weights alone, are shared).
    key = `${statistics}${jobFactorKey(job.jobId)}`;
  }
  return job.loaded.factoredFor(matrix, blocks, { clustering: spec.clustering, transform, key, ...only });
}

/**
 * What a recipe must record to reproduce `f`'s edits without the job's samples: the diagonal scales of the
 * weighted factorizations (exact float64 values) and K-subspaces' resolved settings. `undefined` for plain blocks.
 */
export function editDetails(f: FactoredMatrix, matrix: string): EditDetails | undefined {
  if (f.transform.colFactor) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${matrix}: ASVD's Cholesky factor is an n×n matrix, too large for a recipe; the search uses the scaling variant`);
  }
  const d: EditDetails = {};
  if (f.transform.rowScale) d.rowScale = Array.from(f.transform.rowScale);
  if (f.transform.colScale) d.colScale = Array.from(f.transform.colScale);
  if (f.clustering) d.kSubspaces = { rank: f.clustering.rank, maxIterations: kSubspacesDefaults.maxIterations, init: kSubspacesDefaults.init, seed: kSubspacesDefaults.seed };
  return Object.keys(d).length > 0 ? d : undefined;
}
