// Rotary position embeddings: the rotate-half form (NeoX, Llama) and GPT-J's interleaved form.
import * as tf from "@tensorflow/tfjs";

export const RopeStyle = {
  /** pairs (i, i + d/2): GPT-NeoX, Llama */
  rotateHalf: "rotate_half",
  /** pairs (2i, 2i + 1): GPT-J's rotate_every_two */
  interleaved: "interleaved",
} as const;
export type RopeStyle = (typeof RopeStyle)[keyof typeof RopeStyle];

export interface RopeTables {
  /** cos/sin of position × inverse frequency, [B, 1, T, rotaryDim / 2] (broadcasts over heads). */
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  rotaryDim: number;
  style: RopeStyle;
}

/**
 * Angles θ(p, i) = p · base^(−2i / rotaryDim) for the given position ids (row-major [batch, length]),
 * divided by `scale` for linear position interpolation.
 */
export function ropeTables(
  positions: Int32Array,
  batch: number,
  length: number,
  rotaryDim: number,
  base: number,
  style: RopeStyle,
  scale = 1,
): RopeTables {
  const half = rotaryDim / 2;
  const cos = new Float32Array(batch * length * half);
  const sin = new Float32Array(batch * length * half);
  for (let i = 0; i < half; i++) {
    const invFreq = 1 / Math.pow(base, (2 * i) / rotaryDim);
    for (let p = 0; p < batch * length; p++) {
      const angle = (positions[p]! / scale) * invFreq;
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return {
    cos: tf.tensor4d(cos, [batch, 1, length, half]),
    sin: tf.tensor4d(sin, [batch, 1, length, half]),
    rotaryDim,
    style,
  };
}

/** Rotates the first rotaryDim features of every head of x [B, H, T, headDim]; the rest pass through. */
export function applyRope(x: tf.Tensor4D, rope: RopeTables): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, t, headDim] = x.shape;
    const rd = rope.rotaryDim;
    const half = rd / 2;
    const rot = rd === headDim ? x : tf.slice(x, [0, 0, 0, 0], [b, h, t, rd]);
    let rotated: tf.Tensor4D;
    if (rope.style === RopeStyle.rotateHalf) {
      const x1 = tf.slice(rot, [0, 0, 0, 0], [b, h, t, half]);
      const x2 = tf.slice(rot, [0, 0, 0, half], [b, h, t, half]);
      rotated = tf.concat(
        [tf.sub(tf.mul(x1, rope.cos), tf.mul(x2, rope.sin)), tf.add(tf.mul(x2, rope.cos), tf.mul(x1, rope.sin))],
        3,
      ) as tf.Tensor4D;
    } else {
      const pairs = tf.reshape(rot, [b, h, t, half, 2]);
      const x1 = tf.reshape(tf.slice(pairs, [0, 0, 0, 0, 0], [b, h, t, half, 1]), [b, h, t, half]);
      const x2 = tf.reshape(tf.slice(pairs, [0, 0, 0, 0, 1], [b, h, t, half, 1]), [b, h, t, half]);
      const o1 = tf.sub(tf.mul(x1, rope.cos), tf.mul(x2, rope.sin));
      const o2 = tf.add(tf.mul(x2, rope.cos), tf.mul(x1, rope.sin));
      rotated = tf.reshape(tf.stack([o1, o2], 4), [b, h, t, rd]);
    }
    if (rd === headDim) return rotated;
    return tf.concat([rotated, tf.slice(x, [0, 0, 0, rd], [b, h, t, headDim - rd])], 3);
  });
}
