// The dense layer every architecture uses. Weights are held [in, out] so y = x·W needs no transpose.
import * as tf from "@tensorflow/tfjs";
import type { Weights } from "../arch/types.ts";

/** Tag on a weight handle (set only by TransformerModel.matrixInputs): `linear` shows it its input x. */
export const OBSERVE_INPUT: unique symbol = Symbol("c2i.observeInput");
export type ObservedWeight = tf.Tensor & { [OBSERVE_INPUT]?: (x: tf.Tensor2D) => void };

/** y = x·W (+ b) for x [N, in], W [in, out] (the engine layout, see ../layout.ts), b [out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  (w as ObservedWeight)[OBSERVE_INPUT]?.(x);
  if (b == null) return tf.matMul(x, w as tf.Tensor2D) as tf.Tensor2D;
  // Fused: the BLAS kernel adds the bias in the GEMM's epilogue instead of a second pass over y.
  return tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b }) as tf.Tensor2D;
}

/**
 * Logits = x·W for the output head, which is never a candidate matrix: the gradient flows to x only, as
 * dy·Wᵀ with Wᵀ held ready (for a tied head, Wᵀ is the embedding itself), so no backward pass transposes
 * the [vocab × hidden] matrix. `name` is the embedding when `tied`, else the head's own tensor.
 */
export function outputHead(x: tf.Tensor2D, weights: Weights, name: string, tied: boolean, bias?: tf.Tensor): tf.Tensor2D {
  const w = (tied ? weights.transposed(name) : weights.get(name)) as tf.Tensor2D;
  const wT = (tied ? weights.get(name) : weights.transposed(name)) as tf.Tensor2D;
  const head = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.matMul(input as tf.Tensor2D, w),
    gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, wT),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  const logits = head(x) as tf.Tensor2D;
  if (bias == null) return logits;
  return tf.tidy(() => tf.add(logits, bias) as tf.Tensor2D);
}
