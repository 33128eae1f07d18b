// Multi-head attention with causal and padding masks, grouped-query heads and optional rotary embeddings.
import * as tf from "@tensorflow/tfjs";
import { applyRope, type RopeTables } from "./rope.ts";

/** Large enough that exp underflows to exactly 0 after the max-subtraction in softmax. */
const MASKED = -1e9;

/**
 * Additive attention bias [B, 1, T, T]: 0 where query t may attend key s (s is a real token, and
 * s ≤ t when causal), MASKED elsewhere. `mask` is the batch's row-major [B, T] 0/1 mask.
 */
export function attentionBias(mask: Int32Array, batch: number, length: number, causal: boolean): tf.Tensor4D {
  const bias = new Float32Array(batch * length * length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      const row = (b * length + t) * length;
      for (let s = 0; s < length; s++) {
        const allowed = mask[b * length + s] !== 0 && (!causal || s <= t);
        bias[row + s] = allowed ? 0 : MASKED;
      }
    }
  }
  return tf.tensor4d(bias, [batch, 1, length, length]);
}

export interface AttentionInput {
  /** Projections as [B·T, heads·headDim] (rows are tokens). */
  q: tf.Tensor2D;
  k: tf.Tensor2D;
  v: tf.Tensor2D;
  batch: number;
  length: number;
  numHeads: number;
  /** < numHeads for grouped-query attention; each key/value head serves numHeads / numKvHeads query heads. */
  numKvHeads: number;
  headDim: number;
  bias: tf.Tensor4D;
  rope?: RopeTables;
}

function heads(x: tf.Tensor2D, batch: number, length: number, n: number, headDim: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [batch, length, n, headDim]), [0, 2, 1, 3]);
}

function repeatKv(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  if (groups === 1) return x;
  const [b, kv, t, d] = x.shape;
  // Rank-3 tile (tfjs has no rank-5 tile gradient): head h reads kv head ⌊h / groups⌋, as HF's repeat_kv.
  return tf.reshape(tf.tile(tf.reshape(x, [b * kv, 1, t * d]), [1, groups, 1]), [b, kv * groups, t, d]);
}

/** softmax(q·kᵀ / √headDim + bias)·v, returned as [B·T, heads·headDim]. */
export function attention(input: AttentionInput): tf.Tensor2D {
  return tf.tidy(() => {
    const { batch, length, numHeads, numKvHeads, headDim } = input;
    let q = heads(input.q, batch, length, numHeads, headDim);
    let k = heads(input.k, batch, length, numKvHeads, headDim);
    const v = repeatKv(heads(input.v, batch, length, numKvHeads, headDim), numHeads / numKvHeads);
    if (input.rope != null) {
      q = applyRope(q, input.rope);
      k = applyRope(k, input.rope);
    }
    k = repeatKv(k, numHeads / numKvHeads);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), input.bias);
    const context = tf.matMul(tf.softmax(scores), v);
    return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * length, numHeads * headDim]);
  });
}
