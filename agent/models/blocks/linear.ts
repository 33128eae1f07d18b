// The dense layer every architecture uses. Weights are held [in, out] so y = x·W needs no transpose.
import * as tf from "@tensorflow/tfjs";
import { hostMatMul } from "../../compute/blas/host-matmul.ts";
import type { MatrixWeight, Weights } from "../arch/types.ts";
import { HostMatrix } from "../host-matrix.ts";

/** Tag on a weight handle (set only by TransformerModel.matrixInputs): `linear` shows it its input x. */
export const OBSERVE_INPUT: unique symbol = Symbol("c2i.observeInput");
export type ObservedWeight = MatrixWeight & { [OBSERVE_INPUT]?: (x: tf.Tensor2D) => void };

/**
 * Tag on a weight handle (set only by TransformerModel.gradientSum): in the backward pass, `linear` hands
 * the tap its input x and output gradient dy instead of computing ∂L/∂W = xᵀ·dy itself, so the tap can
 * accumulate it across micro-batches. `weight` is the store's entry behind the handle (a handle made inside a
 * layer's tidy is gone by the backward pass); `anchor` is a scalar
 * variable every tapped layer takes as an input, so that differentiating the loss with respect to it
 * alone runs the backward pass through every tapped layer (its gradient, zero, is discarded).
 */
export const GRADIENT_TAP: unique symbol = Symbol("c2i.gradientTap");
export interface GradientTap {
  weight: MatrixWeight;
  anchor: tf.Scalar;
  add(x: tf.Tensor2D, dy: tf.Tensor2D): void;
}
export type TappedWeight = MatrixWeight & { [GRADIENT_TAP]?: GradientTap };

type Custom = Parameters<typeof tf.customGrad>[0];

/** y = x·W (+ b) for x [N, in], W [in, out] (the engine layout, see ../layout.ts) or a host matrix, b [out]. */
export function linear(x: tf.Tensor2D, w: MatrixWeight, b?: tf.Tensor): tf.Tensor2D {
  (w as ObservedWeight)[OBSERVE_INPUT]?.(x);
  const tap = (w as TappedWeight)[GRADIENT_TAP];
  if (tap != null) return tapped(x, w, b, tap);
  if (w instanceof HostMatrix) return hostLinear(x, w, b);
  return times(x, w, b);
}

/** x·W (+ b) without a gradient tap. A bias is fused: the BLAS kernels add it in the GEMM, not in a second pass over y. */
function times(x: tf.Tensor2D, w: MatrixWeight, b?: tf.Tensor): tf.Tensor2D {
  if (w instanceof HostMatrix) return hostMatMul(x, w, w.engineTransposed, b);
  return (b == null ? tf.matMul(x, w as tf.Tensor2D) : tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b })) as tf.Tensor2D;
}

/** dy·Wᵀ: the gradient reaching a layer's input. */
function timesTransposed(dy: tf.Tensor2D, w: MatrixWeight): tf.Tensor2D {
  if (w instanceof HostMatrix) return hostMatMul(dy, w, !w.engineTransposed);
  return tf.matMul(dy, w as tf.Tensor2D, false, true) as tf.Tensor2D;
}

/** `linear` on a host matrix: the backward pass gives x its gradient only (no weight is trained). */
function hostLinear(x: tf.Tensor2D, w: HostMatrix, b?: tf.Tensor): tf.Tensor2D {
  const f = tf.customGrad(((input: tf.Tensor) => ({
    value: times(input as tf.Tensor2D, w, b),
    gradFunc: (dy: tf.Tensor) => timesTransposed(dy as tf.Tensor2D, w),
  })) as unknown as Custom);
  return f(x) as tf.Tensor2D;
}

/**
 * `linear` whose backward gives (x, dy) to the tap and returns dx only (and a zero for the anchor): no
 * ∂L/∂W tensor is made here, the real gradient lives in the tap's running sum.
 */
function tapped(x: tf.Tensor2D, w: MatrixWeight, b: tf.Tensor | undefined, tap: GradientTap): tf.Tensor2D {
  const f = tf.customGrad(((input: tf.Tensor, _anchor: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([input]);
    return {
      value: times(input as tf.Tensor2D, w, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        tap.add(saved[0] as tf.Tensor2D, dy as tf.Tensor2D);
        return [timesTransposed(dy as tf.Tensor2D, tap.weight), tf.zerosLike(tap.anchor)];
      },
    };
  }) as unknown as Custom);
  return f(x, tap.anchor) as tf.Tensor2D;
}

/**
 * Logits = x·W for the output head, which is never a candidate matrix: the gradient flows to x only, as
 * dy·Wᵀ with Wᵀ held ready (for a tied head, Wᵀ is the embedding itself), so no backward pass transposes
 * the [vocab × hidden] matrix. `name` is the embedding when `tied`, else the head's own tensor.
 */
export function outputHead(x: tf.Tensor2D, weights: Weights, name: string, tied: boolean, bias?: tf.Tensor): tf.Tensor2D {
  const held = weights.matrix(name);
  // A host table or head is [vocab, hidden] as stored: the host kernel reads it transposed, no copy is made.
  if (held instanceof HostMatrix) return hostLinear(x, held, bias);
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
