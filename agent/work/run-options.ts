// Checks a shard's samples and task options once, and names a sample set for the gradient cache.
import { createHash } from "node:crypto";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { SampleSelection, WorkRef } from "../../common/shards.ts";
import { type ClusteringName, type FactorizationName, isClusteringName, isFactorizationName } from "../linalg/factorizations/types.ts";
import type { TaskRunOptions } from "../tasks/run.ts";
import type { JobState } from "./job-cache.ts";

export function taskRunOptions(ref: WorkRef, batchSize: number): TaskRunOptions {
  // task.template is applied when the job's dataset is read (job-cache.ts): the rows already hold the final prompts.
  const task = ref.task ?? {};
  factorSpecOf(ref);
  return { batchSize, maxTokens: task.maxTokens, lengthNormalise: task.lengthNormalise };
}

/**
 * A shard's sample set, and its calibration set when it has one: non-empty, every index a row of the dataset,
 * each row once (every set the coordinator plans is a set; a repeated row would only multiply the work).
 */
export function checkSamples(samples: SampleSelection, job: JobState, shardId: string, calibration?: SampleSelection): void {
  const n = job.dataset.rows.length;
  for (const set of calibration ? [samples, calibration] : [samples]) {
    if (set.indices.length === 0) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shardId}: sample set "${set.name}" is empty`);
    }
    const seen = new Set<number>();
    for (const i of set.indices) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shardId}: sample index ${i} of set "${set.name}" is outside the dataset's ${n} rows (${job.datasetRef})`);
      }
      if (seen.has(i)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shardId}: sample index ${i} appears twice in set "${set.name}"; a sample set lists each row once`);
      seen.add(i);
    }
  }
}

/** A shard's list of matrices or block counts: non-empty, each entry once. */
export function checkDistinct<T>(items: readonly T[], what: string, shardId: string): void {
  if (items.length === 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shardId}: no ${what}`);
  const seen = new Set<T>();
  for (const x of items) {
    if (seen.has(x)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shardId}: ${what} lists ${String(x).slice(0, 200)} twice`);
    seen.add(x);
  }
}

/** Same rows in the same order with the same task options = the same gradient pass. */
export function sampleKey(samples: SampleSelection, run: TaskRunOptions): string {
  const h = createHash("sha256").update(samples.indices.join(",")).digest("hex").slice(0, 24);
  return `${h}|${run.maxTokens ?? ""}|${run.lengthNormalise ? 1 : 0}|${run.choiceEncoding ?? ""}`;
}

export interface FactorSpec {
  factorization: FactorizationName;
  clustering: ClusteringName;
}

/** The job's factorization and row clustering, validated (unknown names are refused with the valid ones). */
export function factorSpecOf(ref: WorkRef): FactorSpec {
  const factorization = ref.factorization ?? "svd";
  const clustering = ref.clustering ?? "blocks";
  if (!isFactorizationName(factorization)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job ${ref.jobId}: factorization "${factorization}" is not supported; use svd, fwsvd or asvd`);
  }
  if (!isClusteringName(clustering)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job ${ref.jobId}: clustering "${clustering}" is not supported; use blocks or ksubspaces`);
  }
  return { factorization, clustering };
}

export function isPlainSpec(spec: FactorSpec): boolean {
  return spec.factorization === "svd" && spec.clustering === "blocks";
}
