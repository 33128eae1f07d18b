// Shard identity and splitting: ids are a pure function of job, phase and index, so a resumed job finds its done shards.
import type { SampleSelection, WorkRef } from "../../common/shards.ts";
import type { JobSpec } from "./spec.ts";

/** `<job>/<phase>/<index>`: the same shard gets the same id on every replan of the same job. */
export function shardId(jobId: string, phase: string, index: number): string {
  return `${jobId}/${phase}/${index}`;
}

/** Split a list into consecutive chunks of at most `size` (the last may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A sample set cut into shards; each part gets its own name so agents never confuse cached subsets. */
export function splitSelection(set: SampleSelection, size: number): SampleSelection[] {
  const parts = chunk(set.indices, size);
  if (parts.length <= 1) return [set];
  return parts.map((indices, i) => ({ name: `${set.name}@${i}`, indices }));
}

/** Factorizations whose transform comes from samples (FWSVD: gradients, ASVD: matrix inputs). */
export function isWeighted(spec: JobSpec): boolean {
  return spec.factorization !== undefined && spec.factorization !== "svd";
}

/**
 * The job's references for a shard; `calibration` (the adaptation set) is attached only for the weighted
 * factorizations, so every shard of one job computes its transforms from the same samples.
 */
export function workRef(jobId: string, spec: JobSpec, calibration?: SampleSelection): WorkRef {
  const ref: WorkRef = { jobId, model: spec.model, dataset: spec.dataset };
  if (spec.task) ref.task = spec.task;
  if (spec.factorization !== undefined) ref.factorization = spec.factorization;
  if (spec.clustering !== undefined) ref.clustering = spec.clustering;
  if (calibration && isWeighted(spec)) ref.calibration = calibration;
  ref.batching = { batchSize: spec.settings.batchSize, chunkSize: spec.settings.chunkSize };
  return ref;
}
