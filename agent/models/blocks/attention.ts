// Multi-head attention with causal and padding masks, grouped-query heads and rotary embeddings: a fused BLAS kernel where registered, else composite tfjs ops.
import * as tf from "@tensorflow/tfjs";
import { fusedPart, QkvLayout, tokenMajor, type OperandLayout } from "../../compute/attention/layout.ts";
import { fusedAttention, fusedAttentionAvailable } from "../../compute/attention/op.ts";
import { applyRope, type RopeTables } from "./rope.ts";

export { QkvLayout } from "../../compute/attention/layout.ts";

/** Large enough that exp underflows to exactly 0 after the max-subtraction in softmax. */
const MASKED = -1e9;

/**
 * Additive attention bias [B, 1, T, T]: 0 where query t may attend key s (s is a real token, s ≤ t when
 * causal, and s is shared or in t's own branch when `segments` packs branches; see TokenBatch), MASKED
 * elsewhere. `mask` and `segments` are the batch's row-major [B, T] arrays.
 */
export function attentionBias(mask: Int32Array, batch: number, length: number, causal: boolean, segments?: Int32Array): tf.Tensor4D {
  const bias = new Float32Array(batch * length * length).fill(MASKED);
  for (let b = 0; b < batch; b++) {
    const real = realPrefix(mask, b, length);
    if (real !== undefined && !segments) {
      // Right padding alone (every batch the tasks build): each query row opens one run of keys.
      for (let t = 0; t < length; t++) bias.fill(0, (b * length + t) * length, (b * length + t) * length + Math.min(real, causal ? t + 1 : length));
      continue;
    }
    for (let t = 0; t < length; t++) {
      const row = (b * length + t) * length;
      const own = segments ? segments[b * length + t]! : 0;
      const last = causal ? t : length - 1;
      for (let s = 0; s <= last; s++) {
        const key = b * length + s;
        if (mask[key] === 0) continue;
        if (segments && segments[key] !== 0 && segments[key] !== own) continue;
        bias[row + s] = 0;
      }
    }
  }
  return tf.tensor4d(bias, [batch, 1, length, length]);
}

/** The number of real tokens of row b when they all come before its padding, else undefined. */
function realPrefix(mask: Int32Array, b: number, length: number): number | undefined {
  let n = 0;
  while (n < length && mask[b * length + n] !== 0) n++;
  for (let t = n; t < length; t++) if (mask[b * length + t] !== 0) return undefined;
  return n;
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

/**
 * softmax(q·kᵀ / √headDim + bias)·v, returned as [B·T, heads·headDim]: the fused BLAS kernel when the active
 * backend has it (cpu/wasm with OpenBLAS), else the composite tfjs ops.
 */
export function attention(input: AttentionInput): tf.Tensor2D {
  if (!fusedAttentionAvailable()) return compositeAttention(input);
  return tf.tidy(() => {
    const { batch, length, numHeads, numKvHeads, headDim } = input;
    const rotate = (x: tf.Tensor2D, heads: number) => (input.rope ? ropeTokenMajor(x, input, heads) : x);
    return fusedAttention({
      sources: [rotate(input.q, numHeads), rotate(input.k, numKvHeads), input.v],
      q: tokenMajor(0, length, numHeads, headDim),
      k: tokenMajor(1, length, numKvHeads, headDim),
      v: tokenMajor(2, length, numKvHeads, headDim),
      bias: input.bias,
      batch,
      length,
      numHeads,
      numKvHeads,
      headDim,
    });
  });
}

export interface QkvAttentionInput extends Omit<AttentionInput, "q" | "k" | "v"> {
  /** One fused projection holding q, k and v for every token (rows are tokens). */
  qkv: tf.Tensor2D;
  /** How q, k and v are packed in a row: GPT-2's [q|k|v] blocks or NeoX's per-head [q_h|k_h|v_h]. */
  layout: QkvLayout;
}

/**
 * attention() over a fused q|k|v projection. With the fused kernel, q, k and v are read in place (only q and
 * k are sliced out when rotary embeddings must rewrite them); otherwise they are split for the composite ops.
 */
export function attentionFromQkv(input: QkvAttentionInput): tf.Tensor2D {
  const { qkv, layout, batch, length, numHeads, numKvHeads, headDim } = input;
  const part = (j: 0 | 1 | 2) => fusedPart(layout, j, 0, length, numHeads, numKvHeads, headDim);
  if (!fusedAttentionAvailable()) {
    return tf.tidy(() => {
      // The split GPT-2 always did (one SplitV); NeoX's per-head parts are slices of a [N, heads, 3·headDim] view.
      const [q, k, v] =
        layout === QkvLayout.blocks
          ? (tf.split(qkv, [numHeads * headDim, numKvHeads * headDim, numKvHeads * headDim], 1) as tf.Tensor2D[])
          : ([0, 1, 2] as const).map((j) => slicePart(qkv, part(j), numHeads, headDim));
      return compositeAttention({ ...input, q: q!, k: k!, v: v! });
    });
  }
  return tf.tidy(() => {
    let sources: tf.Tensor[] = [qkv];
    let [q, k]: OperandLayout[] = [part(0), part(1)];
    if (input.rope) {
      const rq = ropeTokenMajor(slicePart(qkv, q, numHeads, headDim), input, numHeads);
      const rk = ropeTokenMajor(slicePart(qkv, k, numKvHeads, headDim), input, numKvHeads);
      sources = [qkv, rq, rk];
      q = tokenMajor(1, length, numHeads, headDim);
      k = tokenMajor(2, length, numKvHeads, headDim);
    }
    return fusedAttention({ sources, q, k, v: part(2), bias: input.bias, batch, length, numHeads, numKvHeads, headDim });
  });
}

/** One of q, k, v of a fused projection as its own [B·T, heads·headDim] tensor (what the composite path splits). */
function slicePart(qkv: tf.Tensor2D, l: OperandLayout, heads: number, headDim: number): tf.Tensor2D {
  const n = qkv.shape[0];
  if (l.headStride === headDim) return tf.slice(qkv, [0, l.offset], [n, heads * headDim]);
  // Per-head packing: view the row as [heads, headStride] and take headDim features from each head.
  const perHead = tf.reshape(qkv, [n, heads, l.headStride]);
  return tf.reshape(tf.slice(perHead, [0, 0, l.offset], [n, heads, headDim]), [n, heads * headDim]);
}

/**
 * Rotary embeddings on a token-major projection [B·T, heads·headDim]: the same element-wise rotation as on
 * head-major [B, heads, T, headDim], with the tables [B, 1, T, headDim] read as [B, T, 1, headDim] so no head transpose is needed.
 */
function ropeTokenMajor(x: tf.Tensor2D, input: Pick<AttentionInput, "batch" | "length" | "headDim" | "rope">, heads: number): tf.Tensor2D {
  const rope = input.rope!;
  const { batch, length, headDim } = input;
  const tables = { ...rope, cos: tf.reshape(rope.cos, [batch, length, 1, headDim]), sin: tf.reshape(rope.sin, [batch, length, 1, headDim]) } as typeof rope;
  return tf.reshape(applyRope(tf.reshape(x, [batch, length, heads, headDim]), tables), [batch * length, heads * headDim]);
}

/** The composite tfjs ops (what tfjs-node runs, and the cpu/wasm backends without BLAS). */
export function compositeAttention(input: AttentionInput): tf.Tensor2D {
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
