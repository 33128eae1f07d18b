// Calibration statistics for the weighted factorizations: Fisher row weights (FWSVD) and input statistics (ASVD).
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { accumulateInputs, emptyInputStatistics, type InputStatistics } from "../linalg/factorizations/activation.ts";
import type { LanguageModel } from "../models/types.ts";
import type { Dataset } from "../tasks/dataset.ts";
import { encodeTask } from "../tasks/encoding.ts";
import { gradientPass, type TaskRunOptions } from "../tasks/run.ts";
import { protocolFor } from "../tasks/select.ts";
import type { Tokenizer } from "../tokenizers/types.ts";

/**
 * Σ over chunks c of G_c ⊙ G_c, G_c = ∂L_c/∂W the mean gradient of chunk c (rows = output features).
 * With `chunk` = 1 this is the empirical Fisher of the FWSVD paper (one squared gradient per sample);
 * larger chunks square micro-batch gradients (cheaper, a coarser estimate).
 */
export function fisherSquares(
  model: LanguageModel,
  tokenizer: Tokenizer,
  dataset: Dataset,
  indices: readonly number[],
  names: readonly string[],
  options: { chunk: number; run: TaskRunOptions },
): Map<string, Float64Array> {
  if (!Number.isInteger(options.chunk) || options.chunk < 1) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `Fisher chunk ${options.chunk} must be a positive integer`);
  const out = new Map<string, Float64Array>();
  for (let i = 0; i < indices.length; i += options.chunk) {
    const r = gradientPass(model, tokenizer, dataset, indices.slice(i, i + options.chunk), names, options.run);
    for (const name of names) {
      const g = r.grads.get(name)!;
      let sum = out.get(name);
      if (!sum) out.set(name, (sum = new Float64Array(g.length)));
      for (let k = 0; k < g.length; k++) sum[k]! += g[k]! * g[k]!;
    }
  }
  return out;
}

export interface InputStatisticsOptions {
  run: TaskRunOptions;
  /** Also accumulate XXᵀ (ASVD's Cholesky variant; cols² numbers per matrix). */
  withGram: boolean;
  /** Bytes of matrix inputs held at once per batch; matrices are observed in groups under it. @default 256 MiB */
  maxBytes?: number;
}

/**
 * Per matrix, sums over the calibration tokens (real tokens only, every position of every sequence) of its
 * inputs x, read through the model's `matrixInputs` hook.
 */
export function inputStatistics(
  model: LanguageModel,
  tokenizer: Tokenizer,
  dataset: Dataset,
  indices: readonly number[],
  names: readonly string[],
  options: InputStatisticsOptions,
): Map<string, InputStatistics> {
  if (!model.matrixInputs) {
    throw new C2iError(ErrorCode.UNSUPPORTED_ARCH, `this ${model.config.modelType} model cannot report matrix inputs; ASVD needs them (use svd or fwsvd)`);
  }
  const protocol = protocolFor(dataset, model.config.causal, { lengthNormalise: options.run.lengthNormalise });
  const task = encodeTask(protocol, tokenizer, dataset, indices, {
    batchSize: options.run.batchSize ?? 16,
    maxTokens: options.run.maxTokens ?? model.config.maxPositions,
    vocabSize: model.config.vocabSize,
  });
  const info = new Map(model.candidates.map((c) => [c.name, c]));
  const stats = new Map<string, InputStatistics>();
  for (const name of names) {
    const c = info.get(name);
    if (!c) throw new C2iError(ErrorCode.NOT_FOUND, `"${name}" is not a candidate matrix of this model`);
    stats.set(name, emptyInputStatistics(c.cols, options.withGram));
  }
  const maxBytes = options.maxBytes ?? 256 << 20;
  for (const batch of task.batches) {
    const tokens = batch.tokens.batch * batch.tokens.length;
    const realRows: number[] = [];
    batch.tokens.mask.forEach((m, i) => m !== 0 && realRows.push(i));
    const real = Int32Array.from(realRows);
    const groups: string[][] = [[]];
    let bytes = 0;
    for (const name of names) {
      const b = tokens * info.get(name)!.cols * 4;
      if (groups.at(-1)!.length > 0 && bytes + b > maxBytes) {
        groups.push([]);
        bytes = 0;
      }
      groups.at(-1)!.push(name);
      bytes += b;
    }
    for (const group of groups) {
      const inputs = model.matrixInputs(batch.tokens, group);
      try {
        for (const name of group) {
          const x = tf.tidy(() => tf.gather(inputs.get(name)!, tf.tensor1d(real, "int32")));
          try {
            accumulateInputs(stats.get(name)!, x.dataSync() as Float32Array, real.length);
          } finally {
            x.dispose();
          }
        }
      } finally {
        tf.dispose([...inputs.values()]);
      }
    }
  }
  return stats;
}
