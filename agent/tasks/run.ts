// Runs a task on a model: evaluation (accuracy, loss, per-sample outcomes) and the one gradient pass of the method.
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { tensorMemoryLimit } from "../compute/memory.ts";
import { sumGradients } from "../models/gradient-sum.ts";
import { sigmaSum } from "../models/sigma-sum.ts";
import type { SigmaProbes } from "../linalg/sigma-projection.ts";
import type { LanguageModel } from "../models/types.ts";
import type { Tokenizer } from "../tokenizers/types.ts";
import type { EncodedBatch } from "./batch.ts";
import type { Dataset } from "./dataset.ts";
import { EncodingCache, repackTask, type EncodedTask } from "./encoding.ts";
import { hostKernelActive } from "../compute/blas/host-matmul.ts";
import { gradientPlanOf, plannedGradientRows, type GradientPlanBytes } from "./memory.ts";
import type { TaskProtocol } from "./protocol.ts";
import { protocolFor } from "./select.ts";
import type { ChoiceEncoding } from "./choice-encoding.ts";

export interface TaskRunOptions {
  /**
   * Sequences (rows) per forward pass. A choice row is one packed sequence with the shared encoding (its prompt
   * and choices; two or more only for encoders' choices with different token counts), one per choice with the
   * per-choice one. @default 16
   */
  batchSize?: number;
  /** Longest input in tokens; longer prompts are cut from the left. @default model.config.maxPositions */
  maxTokens?: number;
  /** Choice tasks: compare mean instead of summed token log-probs. @default false */
  lengthNormalise?: boolean;
  /** Choice tasks: the prompt once with the choices read from it, or one sequence per choice (./choice-encoding.ts). @default "shared" */
  choiceEncoding?: ChoiceEncoding;
  /** Evaluation only: stop once `correct + remaining < target` (the candidate cannot reach the target). */
  earlyStop?: { target: number };
  /** Gets one warning per fresh encoding that had to truncate prompts. @default none */
  logger?: Logger;
  /** Where encoded batches are kept between runs. @default one cache shared by the process */
  cache?: EncodingCache;
  /**
   * Evaluation only: the logits at `batch.positions` of the `index`-th batch, in place of `model.logitsAt`
   * (e.g. from cached hidden states, agent/work/layer-cache.ts); must compute the same values. @default model.logitsAt
   */
  logits?: (batch: EncodedBatch, index: number) => tf.Tensor2D;
  /**
   * Gradient passes only: the memory the backend can hold at most. Micro-batches are made smaller (the sum
   * is the same) when the estimate of ./memory.ts says `batchSize` sequences would not fit.
   * @default the active backend's limit (the wasm heap's 4 GiB; none on other backends)
   */
  memoryLimitBytes?: number;
}

export interface SampleResult {
  loss: number;
  correct: boolean;
  /** False for samples early stopping skipped (their loss is NaN). */
  evaluated: boolean;
}

export interface TaskEvaluation {
  /** correct / n over the evaluated samples. */
  accuracy: number;
  /** Mean over the evaluated samples of each sample's loss (METHOD.md). */
  loss: number;
  /** Samples evaluated: all of `indices` unless stopped early. */
  n: number;
  correct: number;
  stoppedEarly: boolean;
  /** In the order of `indices`. */
  perSample: SampleResult[];
  /** Samples whose prompt was cut from the left to fit maxTokens. */
  truncated: number;
}

export interface GradientPassResult {
  /** L = mean over the samples of each sample's loss. */
  loss: number;
  /** ∂L/∂W per requested matrix, rows = output features. */
  grads: Map<string, Float32Array>;
  n: number;
  truncated: number;
}

const sharedCache = new EncodingCache();

function prepare(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], options: TaskRunOptions): { protocol: TaskProtocol; task: EncodedTask } {
  const batchSize = options.batchSize ?? 16;
  const maxTokens = options.maxTokens ?? model.config.maxPositions;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `batchSize must be an integer ≥ 1, got ${batchSize}`);
  if (!Number.isInteger(maxTokens) || maxTokens < 2) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `maxTokens must be an integer ≥ 2, got ${maxTokens}`);
  const protocol = protocolFor(dataset, model.config.causal, { lengthNormalise: options.lengthNormalise, choiceEncoding: options.choiceEncoding });
  const cache = options.cache ?? sharedCache;
  const { task, fresh } = cache.get(protocol, tokenizer, dataset, indices, { batchSize, maxTokens, vocabSize: model.config.vocabSize });
  if (fresh && task.truncated > 0) {
    options.logger?.warn({ dataset: dataset.source, truncated: task.truncated, samples: task.n, maxTokens }, "prompts truncated from the left to fit maxTokens");
  }
  return { protocol, task };
}

/** The encoded batches a run over `indices` reads (from the cache when it holds them), e.g. to precompute per-batch state. */
export function encodedTaskFor(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], options: TaskRunOptions = {}): EncodedTask {
  return prepare(model, tokenizer, dataset, indices, options).task;
}

/**
 * log p(target) of each read [reads], and the logits [positions, vocab] they come from: only the batch's distinct
 * read positions go through the head, and each read picks its entry of its position's log-softmax.
 */
function targetLogProbs(model: LanguageModel, batch: EncodedBatch, logitsOf?: () => tf.Tensor2D): { logProbs: tf.Tensor1D; logits: tf.Tensor2D } {
  const logits = logitsOf ? logitsOf() : model.logitsAt(batch.tokens, batch.positions);
  const vocab = logits.shape[1];
  const flat = new Int32Array(batch.targets.length);
  for (let i = 0; i < flat.length; i++) flat[i] = batch.reads[i]! * vocab + batch.targets[i]!;
  const logProbs = tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), tf.tensor1d(flat, "int32")) as tf.Tensor1D;
  return { logProbs, logits };
}

/** The argmax token at each read's position, from the argmax of each distinct position. */
function argmaxPerRead(batch: EncodedBatch, perPosition: Int32Array): Int32Array {
  if (batch.reads.length === perPosition.length && batch.reads.every((r, i) => r === i)) return perPosition;
  return batch.reads.map((r) => perPosition[r]!);
}

/** Accuracy and loss of `model` on the rows `indices` of `dataset`. */
export function evaluateTask(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], options: TaskRunOptions = {}): TaskEvaluation {
  const { protocol, task } = prepare(model, tokenizer, dataset, indices, options);
  const perSample: SampleResult[] = indices.map(() => ({ loss: Number.NaN, correct: false, evaluated: false }));
  const target = options.earlyStop?.target;
  let correct = 0;
  let evaluated = 0;
  let lossSum = 0;
  let stoppedEarly = false;
  const custom = options.logits;
  for (const [index, batch] of task.batches.entries()) {
    const [logProbsT, argmaxT] = tf.tidy(() => {
      const { logProbs, logits } = targetLogProbs(model, batch, custom && (() => custom(batch, index)));
      return [logProbs, tf.argMax(logits, 1)];
    });
    let logProbs: Float32Array;
    let argmax: Int32Array;
    try {
      logProbs = logProbsT.dataSync() as Float32Array;
      argmax = argmaxPerRead(batch, argmaxT.dataSync() as Int32Array);
    } finally {
      logProbsT.dispose();
      argmaxT.dispose();
    }
    protocol.judge(batch, logProbs, argmax).forEach((outcome, i) => {
      perSample[batch.slots[i]!] = { ...outcome, evaluated: true };
      lossSum += outcome.loss;
      if (outcome.correct) correct++;
      evaluated++;
    });
    if (target !== undefined && evaluated < task.n && correct + (task.n - evaluated) < target) {
      stoppedEarly = true;
      break;
    }
  }
  return { accuracy: correct / evaluated, loss: lossSum / evaluated, n: evaluated, correct, stoppedEarly, perSample, truncated: task.truncated };
}

/**
 * One forward + backward pass over the rows `indices` (no weight update): L and ∂L/∂W for the named
 * matrices only. Micro-batches are exact parts of the sum: each contributes Σ(its samples' losses)/N.
 */
export function gradientPass(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], matrices: readonly string[], options: TaskRunOptions = {}): GradientPassResult {
  const r = backwardPass(model, tokenizer, dataset, indices, matrices, options, () => sumGradients(model, matrices), new Map());
  return { loss: r.loss, grads: r.sums, n: r.n, truncated: r.truncated };
}

export interface SigmaPassResult {
  loss: number;
  /** Per matrix, per probe set (in the order given): σ-gradients per part of the mean loss (as `factoredSigmaGradients`). */
  sigmas: Map<string, Float64Array[][]>;
  n: number;
  truncated: number;
}

/**
 * The same pass as `gradientPass` (same micro-batches, same loss scale), but what it sums are the σ-gradients
 * of the probed factorizations, projected token by token (../models/sigma-sum.ts): no ∂L/∂W is built.
 */
export function sigmaPass(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], probes: ReadonlyMap<string, readonly SigmaProbes[]>, options: TaskRunOptions = {}): SigmaPassResult {
  const r = backwardPass(model, tokenizer, dataset, indices, [...probes.keys()], options, () => sigmaSum(model, probes), new Map());
  return { loss: r.loss, sigmas: r.sums, n: r.n, truncated: r.truncated };
}

/** One forward + backward pass in micro-batches, each loss added to what `open` sums (nothing when no matrix is named). */
function backwardPass<T>(
  model: LanguageModel,
  tokenizer: Tokenizer,
  dataset: Dataset,
  indices: readonly number[],
  matrices: readonly string[],
  options: TaskRunOptions,
  open: () => { add(loss: () => tf.Scalar): number; read(): T; dispose(): void },
  none: T,
): { loss: number; sums: T; n: number; truncated: number } {
  const { protocol, task: encoded } = prepare(model, tokenizer, dataset, indices, options);
  const rows = rowsThatFit(model, encoded, matrices, options);
  if (rows !== undefined) {
    options.logger?.warn({ dataset: dataset.source, requested: options.batchSize ?? 16, rows }, "gradient micro-batches made smaller to fit the backend's memory limit");
  }
  const task = rows === undefined ? encoded : repackTask(encoded, rows, tokenizer);
  const scale = 1 / task.n;
  let loss = 0;
  const lossOf = (batch: EncodedBatch) => () => protocol.lossSum(batch, targetLogProbs(model, batch).logProbs, scale);
  if (matrices.length === 0) {
    // Only L was asked for: no tape, no gradients.
    for (const batch of task.batches) loss += tf.tidy(() => lossOf(batch)().dataSync()[0]!);
    return { loss, sums: none, n: task.n, truncated: task.truncated };
  }
  const sum = open();
  try {
    for (const batch of task.batches) loss += sum.add(lossOf(batch));
    return { loss, sums: sum.read(), n: task.n, truncated: task.truncated };
  } finally {
    sum.dispose();
  }
}

/**
 * A smaller micro-batch size when the backend's memory limit cannot hold the requested one, else undefined.
 * The plan reads only the model and the task, never what else the heap holds now: micro-batches shape the
 * gradient sums' rounding, so one job's passes must be cut the same way on every agent and for every group of
 * matrices. It assumes the model's weights plus every candidate's sum and the head's transposed copy; the
 * caller frees other caches when the heap holds more (agent/work/job-cache.ts `reclaimFor`).
 */
function rowsThatFit(model: LanguageModel, task: EncodedTask, matrices: readonly string[], options: TaskRunOptions): number | undefined {
  const limit = options.memoryLimitBytes ?? tensorMemoryLimit();
  if (limit === undefined || matrices.length === 0) return undefined;
  const length = Math.max(...task.batches.map((b) => b.tokens.length));
  const widest = Math.max(...task.batches.map((b) => b.tokens.batch));
  const rows = plannedGradientRows(model.config, length, widest, limit, gradientPlanBytes(model));
  return rows < widest ? rows : undefined;
}

/**
 * What a gradient pass of `model` plans to find on the backend besides its activations (./memory.ts
 * `gradientPlanOf`): with weights in host memory and the host kernel active, the gradient sums are host arrays.
 */
export function gradientPlanBytes(model: LanguageModel): GradientPlanBytes {
  return gradientPlanOf({
    config: model.config,
    backendWeightBytes: model.weightBytes ?? tf.memory().numBytes,
    candidates: model.candidates,
    hostSums: model.weightsOnHost === true && hostKernelActive(),
  });
}
