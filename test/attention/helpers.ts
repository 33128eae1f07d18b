// Shared fixtures for the fused attention tests: backend switching with BLAS on, seeded tensors, masks, error measures.
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { attentionKernelsActive } from "../../agent/compute/attention/register.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { attentionBias } from "../../agent/models/blocks/attention.ts";
import { silentLogger } from "../../common/log.ts";
import { normalSampler } from "../models/fixtures.ts";

export const ATTENTION_BACKENDS = ["cpu", "wasm"] as const;
export type AttentionBackend = (typeof ATTENTION_BACKENDS)[number];

/** Selects `name` with BLAS on (the agent's own selection code); reports whether the fused kernels registered. */
export async function useBlasBackend(name: AttentionBackend): Promise<boolean> {
  const selected = await selectBackend({ prefer: name, blas: "auto", blasThreads: 1, logger: silentLogger() });
  return selected.blas && attentionKernelsActive(name);
}

export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const normal = normalSampler(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => scale * normal()), shape);
}

/**
 * Masks for `batch` rows of `length` tokens: the first row left-padded by 2 (with a causal mask its first
 * two queries see no real key at all), the second right-padded by 2 (its last two keys are padding),
 * later rows unpadded.
 */
export function paddedMask(batch: number, length: number): Int32Array {
  const mask = new Int32Array(batch * length).fill(1);
  for (let t = 0; t < Math.min(2, length - 1); t++) {
    mask[t] = 0;
    if (batch > 1) mask[length + length - 1 - t] = 0;
  }
  return mask;
}

export function biasFor(batch: number, length: number, causal: boolean): tf.Tensor4D {
  return attentionBias(paddedMask(batch, length), batch, length, causal);
}

/** max |a − b| / max(|b|, floor): float32 agreement measured against the larger of the values. */
export function relativeError(a: tf.Tensor, b: tf.Tensor, floor = 1e-3): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let err = 0;
  let scale = floor;
  for (let i = 0; i < y.length; i++) {
    err = Math.max(err, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return err / scale;
}
