// Normalisation layers shared by the architectures: LayerNorm (GPT-2, GPT-J, NeoX, BERT) and RMSNorm (Llama).
// Each has a hand-written gradient that saves only its input: tfjs would otherwise keep every
// intermediate of the formula for backprop, several [tokens × hidden] tensors per norm.
// The gradient flows to x only: norm weights are never candidates (METHOD.md), so none is computed for them.
import * as tf from "@tensorflow/tfjs";

type Custom = Parameters<typeof tf.customGrad>[0];

/** LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · gamma + beta (biased variance, as PyTorch). */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor2D {
  const normalise = (input: tf.Tensor) => {
    const centred = tf.sub(input, tf.mean(input, -1, true));
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
    return { xhat: tf.mul(centred, r), r };
  };
  const f = tf.customGrad(((input: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([input]);
    const { xhat } = normalise(input);
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      // dx = r · (g − mean(g) − x̂ · mean(g · x̂)), g = dy · gamma
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const { xhat: xh, r } = normalise(saved[0]!);
        const g = tf.mul(dy, gamma);
        return tf.mul(r, tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xh, tf.mean(tf.mul(g, xh), -1, true))));
      },
    };
  }) as unknown as Custom);
  return f(x) as tf.Tensor2D;
}

/** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) · weight (Llama). */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor, eps: number): tf.Tensor2D {
  const f = tf.customGrad(((input: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([input]);
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(input), -1, true), eps));
    return {
      value: tf.mul(tf.mul(input, r), weight),
      // dx = r · (g − x̂ · mean(g · x̂)), x̂ = x · r, g = dy · weight
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const xs = saved[0]!;
        const rs = tf.rsqrt(tf.add(tf.mean(tf.square(xs), -1, true), eps));
        const xh = tf.mul(xs, rs);
        const g = tf.mul(dy, weight);
        return tf.mul(rs, tf.sub(g, tf.mul(xh, tf.mean(tf.mul(g, xh), -1, true))));
      },
    };
  }) as unknown as Custom);
  return f(x) as tf.Tensor2D;
}
