// Evaluation and the gradient pass in fixed chunks of samples, yielding between chunks so cancellation can arrive.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { ExactSum } from "../../common/exact-sum.ts";
import type { SigmaProbes } from "../linalg/sigma-projection.ts";
import { evaluateTask, gradientPass, sigmaPass, type TaskRunOptions } from "../tasks/run.ts";
import type { JobState } from "./job-cache.ts";
import { taskKey } from "./layer-cache.ts";

export interface ChunkOptions {
  chunkSize: number;
  run: TaskRunOptions;
  signal?: AbortSignal;
  /** For the cancellation message. */
  shardId: string;
  /**
   * Evaluation only: the layer the active edit touches (`numLayers` for the unedited model); chunks whose hidden
   * states the job's layer cache holds then rerun only the layers from the deepest cached one at or below it.
   * @default undefined (full forward)
   */
  editedLayer?: number;
}

export interface ChunkedEvaluation {
  accuracy: number;
  loss: number;
  n: number;
  correct: number;
  /** The exact sum of the samples' losses as partials (common/exact-sum.ts). */
  lossParts: number[];
  stoppedEarly: boolean;
}

/** Throws JOB_CANCELLED when the signal fired; yields to the event loop first so a pending cancel is seen. */
export async function checkpointCancel(signal: AbortSignal | undefined, shardId: string): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new C2iError(ErrorCode.JOB_CANCELLED, `shard ${shardId} was cancelled`);
}

/** Chunks depend only on the sample list, so every agent and every grouping of shards computes the same sums. */
export function chunks(indices: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += size) out.push(indices.slice(i, i + size));
  return out;
}

/**
 * Accuracy and mean loss over `indices`, chunk by chunk. With `target`, stops as soon as
 * correct + remaining < target (the evaluation can no longer reach it).
 */
export async function evaluateChunked(job: JobState, indices: readonly number[], target: number | undefined, options: ChunkOptions): Promise<ChunkedEvaluation> {
  const { model, tokenizer } = job.loaded;
  let correct = 0;
  let n = 0;
  const lossSum = new ExactSum();
  let stoppedEarly = false;
  for (const part of chunks(indices, options.chunkSize)) {
    await checkpointCancel(options.signal, options.shardId);
    const after = indices.length - n - part.length;
    const partTarget = target === undefined ? undefined : target - correct - after;
    const logits = options.editedLayer === undefined ? undefined : job.layers.logitsHook(taskKey(part, options.run), options.editedLayer);
    const r = evaluateTask(model, tokenizer, job.dataset, part, {
      ...options.run,
      cache: job.encoding,
      earlyStop: partTarget === undefined ? undefined : { target: partTarget },
      ...(logits ? { logits } : {}),
    });
    for (const s of r.perSample) if (s.evaluated) lossSum.add(s.loss);
    correct += r.correct;
    n += r.n;
    if (r.stoppedEarly || (target !== undefined && n < indices.length && correct + (indices.length - n) < target)) {
      stoppedEarly = true;
      break;
    }
  }
  return { accuracy: n === 0 ? 0 : correct / n, loss: n === 0 ? Number.NaN : lossSum.value() / n, lossParts: lossSum.parts(), n, correct, stoppedEarly };
}

/**
 * Runs `pass` on each chunk of `indices` (cancellation checked between chunks) and folds its sums in, each weighted
 * by the chunk's share of the samples, in chunk order: a set's mean does not depend on how it was chunked elsewhere.
 */
async function overChunks<T>(
  job: JobState,
  indices: readonly number[],
  options: ChunkOptions,
  pass: (part: number[]) => { loss: number; sums: T },
  fold: (sum: T | undefined, part: T, weight: number) => T,
): Promise<{ loss: number; sums: T | undefined }> {
  let loss = 0;
  let sums: T | undefined;
  job.reclaim();
  for (const part of chunks(indices, options.chunkSize)) {
    await checkpointCancel(options.signal, options.shardId);
    const weight = part.length / indices.length;
    const r = pass(part);
    loss += r.loss * weight;
    sums = fold(sums, r.sums, weight);
  }
  return { loss, sums };
}

/** sum + weight·part, entry by entry (the first part scaled in place). */
function addWeighted<A extends Float32Array | Float64Array>(sum: A | undefined, part: A, weight: number): A {
  if (!sum) {
    for (let i = 0; i < part.length; i++) part[i] = part[i]! * weight;
    return part;
  }
  for (let i = 0; i < part.length; i++) sum[i] = sum[i]! + part[i]! * weight;
  return sum;
}

/**
 * L and ∂L/∂W (mean over all samples) for `matrices`: each chunk's mean is weighted by its share of the
 * samples and the parts are added in chunk order, in float64 for the loss and float32 for the gradients.
 */
export async function gradientChunked(job: JobState, indices: readonly number[], matrices: readonly string[], options: ChunkOptions): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const { model, tokenizer } = job.loaded;
  const r = await overChunks(
    job,
    indices,
    options,
    (part) => {
      const g = gradientPass(model, tokenizer, job.dataset, part, matrices, { ...options.run, cache: job.encoding });
      for (const name of matrices) if (!g.grads.has(name)) throw new C2iError(ErrorCode.INTERNAL, `the gradient pass returned no gradient for ${name}`);
      return { loss: g.loss, sums: g.grads };
    },
    (sum: Map<string, Float32Array> | undefined, part, weight) => new Map(matrices.map((name) => [name, addWeighted(sum?.get(name), part.get(name)!, weight)])),
  );
  return { loss: r.loss, grads: r.sums ?? new Map() };
}

/**
 * L and the σ-gradients of the probed factorizations (mean over all samples), chunk by chunk as `gradientChunked`,
 * in float64.
 */
export async function sigmaChunked(
  job: JobState,
  indices: readonly number[],
  probes: ReadonlyMap<string, readonly SigmaProbes[]>,
  options: ChunkOptions,
): Promise<{ loss: number; sigmas: Map<string, Float64Array[][]> }> {
  const { model, tokenizer } = job.loaded;
  const r = await overChunks(
    job,
    indices,
    options,
    (part) => {
      const p = sigmaPass(model, tokenizer, job.dataset, part, probes, { ...options.run, cache: job.encoding });
      return { loss: p.loss, sums: p.sigmas };
    },
    (sum: Map<string, Float64Array[][]> | undefined, part, weight) =>
      new Map([...part].map(([name, sets]) => [name, sets.map((parts, s) => parts.map((g, b) => addWeighted(sum?.get(name)![s]![b], g, weight)))])),
  );
  return { loss: r.loss, sigmas: r.sums ?? new Map() };
}
