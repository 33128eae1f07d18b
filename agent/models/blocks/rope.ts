// Rotary position embeddings: the rotate-half form (NeoX, Llama) and GPT-J's interleaved form.
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { inverseFrequencies, positionDivisor, type RopeScaling } from "./rope_scaling.ts";

export const RopeStyle = {
  /** pairs (i, i + d/2): GPT-NeoX, Llama */
  rotateHalf: "rotate_half",
  /** pairs (2i, 2i + 1): GPT-J's rotate_every_two */
  interleaved: "interleaved",
} as const;
export type RopeStyle = (typeof RopeStyle)[keyof typeof RopeStyle];

export interface RopeTables {
  /**
   * cos/sin of position × inverse frequency for every feature of a head, [B, 1, T, headDim] (broadcasts over heads):
   * each rotated pair's angle at both of its features, 1 and 0 past rotaryDim.
   */
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  /** The signed permutation P [headDim, headDim] with (x·P)_a = −x_b and (x·P)_b = x_a for each rotated pair (a, b). */
  rotate: tf.Tensor2D;
  rotaryDim: number;
  headDim: number;
  style: RopeStyle;
}

/**
 * Angles θ(p, i) = p · base^(−2i / rotaryDim) for the given position ids (row-major [batch, length]), as `scaling`
 * changes them (none: unchanged; rope_scaling.ts); heads of `headDim` features rotate their first rotaryDim.
 */
export function ropeTables(
  positions: Int32Array,
  batch: number,
  length: number,
  rotaryDim: number,
  base: number,
  style: RopeStyle,
  scaling?: RopeScaling,
  headDim = rotaryDim,
): RopeTables {
  const half = rotaryDim / 2;
  const angleCos = new Float64Array(half);
  const angleSin = new Float64Array(half);
  const invFreq = inverseFrequencies(rotaryDim, base, scaling);
  const scale = positionDivisor(scaling);
  // The pair index of each rotated feature: rotate-half pairs (i, i + half), interleaved pairs (2i, 2i + 1).
  const pairOf = Array.from({ length: rotaryDim }, (_, f) => (style === RopeStyle.rotateHalf ? f % half : f >> 1));
  const cos = new Float32Array(batch * length * headDim).fill(1);
  const sin = new Float32Array(batch * length * headDim);
  for (let p = 0; p < batch * length; p++) {
    for (let i = 0; i < half; i++) {
      const angle = (positions[p]! / scale) * invFreq[i]!;
      angleCos[i] = Math.cos(angle);
      angleSin[i] = Math.sin(angle);
    }
    for (let f = 0; f < rotaryDim; f++) {
      cos[p * headDim + f] = angleCos[pairOf[f]!]!;
      sin[p * headDim + f] = angleSin[pairOf[f]!]!;
    }
  }
  const rotate = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    // out_a = x_a·cos − x_b·sin, out_b = x_b·cos + x_a·sin
    const [a, b] = style === RopeStyle.rotateHalf ? [i, i + half] : [2 * i, 2 * i + 1];
    rotate[b * headDim + a] = -1;
    rotate[a * headDim + b] = 1;
  }
  return {
    cos: tf.tensor4d(cos, [batch, 1, length, headDim]),
    sin: tf.tensor4d(sin, [batch, 1, length, headDim]),
    rotate: tf.tensor2d(rotate, [headDim, headDim]),
    rotaryDim,
    headDim,
    style,
  };
}

/**
 * Rotates the first rotaryDim features of every head of x (the last axis, headDim); the rest pass through. x is
 * [B, H, T, headDim] with the tables as they are (or token-major [B, T, H, headDim] with them read as [B, T, 1, headDim]).
 * Computed as x ⊙ cos + (x·P) ⊙ sin: the same products and sums as the pairwise formula (x·P only moves and negates
 * entries), without slicing or concatenating x (each slice and concat is a copy on wasm). The cost is one
 * headDim × headDim product per head and token: small beside the projections, wasteful for large heads.
 */
export function applyRope(x: tf.Tensor4D, rope: Pick<RopeTables, "cos" | "sin" | "rotate" | "headDim">): tf.Tensor4D {
  const headDim = x.shape[3];
  if (headDim !== rope.headDim) throw new C2iError(ErrorCode.SHAPE_MISMATCH, `rotary tables were made for heads of ${rope.headDim} features, not ${headDim}`);
  return tf.tidy(() => {
    const swapped = tf.reshape(tf.matMul(tf.reshape(x, [-1, headDim]) as tf.Tensor2D, rope.rotate), x.shape);
    return tf.add(tf.mul(x, rope.cos), tf.mul(swapped, rope.sin)) as tf.Tensor4D;
  });
}
