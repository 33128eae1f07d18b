// The activation functions named by Hugging Face configs (`activation_function`, `hidden_act`).
// Each has a hand-written derivative that saves only its input, so backprop keeps one
// [tokens × intermediate] tensor per MLP instead of every intermediate of the formula.
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { previewJson } from "../../../common/preview.ts";

export type Activation = (x: tf.Tensor) => tf.Tensor;

type Custom = Parameters<typeof tf.customGrad>[0];

/** An elementwise activation whose gradient is dy · derivative(x), recomputed from the saved x. */
function elementwise(value: (x: tf.Tensor) => tf.Tensor, derivative: (x: tf.Tensor) => tf.Tensor): Activation {
  const f = tf.customGrad(((x: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([x]);
    return { value: value(x), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, derivative(saved[0]!)) };
  }) as unknown as Custom);
  return (x) => f(x);
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact GELU: x · Φ(x) = 0.5 · x · (1 + erf(x / √2)); derivative Φ(x) + x · φ(x). */
export const geluExact = elementwise(
  (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
  (x) => tf.add(tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5), tf.mul(x, tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), INV_SQRT_2PI))),
);

// gelu_new's 0.5 · (1 + tanh(u)) equals σ(2u). Written with σ because the wasm backend's Sigmoid is
// vectorised (1.1 ns/element) while its Tanh and Pow are scalar (16–18 ns each; `npx tsx bench/kernels/run.ts`).
const GELU_C1 = 2 * Math.sqrt(2 / Math.PI);
const GELU_C3 = GELU_C1 * 0.044715;

/** Tanh-approximated GELU ("gelu_new", GPT-2/GPT-J): 0.5 · x · (1 + tanh(u)), u = √(2/π) · (x + 0.044715 x³), as x · σ(2u). */
export const geluTanh = elementwise(
  (x) => tf.mul(x, tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_C3), GELU_C1)))),
  (x) => {
    const x2 = tf.square(x);
    const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, GELU_C3), GELU_C1)));
    const dz = tf.add(tf.mul(x2, 3 * GELU_C3), GELU_C1);
    // d/dx [x · σ(z)] = σ · (1 + x · (1 − σ) · dz/dx)
    return tf.mul(s, tf.add(tf.mul(tf.mul(x, tf.sub(1, s)), dz), 1));
  },
);

/** SiLU / swish: x · σ(x); derivative σ(x) · (1 + x · (1 − σ(x))). */
export const silu = elementwise(
  (x) => tf.mul(x, tf.sigmoid(x)),
  (x) => {
    const s = tf.sigmoid(x);
    return tf.mul(s, tf.add(tf.mul(x, tf.sub(1, s)), 1));
  },
);

const ACTIVATIONS: Record<string, Activation> = {
  gelu: geluExact,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  silu,
  swish: silu,
  relu: (x) => tf.relu(x),
};

/** The activation named `name`; `where` names the config field for the error message. */
export function activationByName(name: string, where: string): Activation {
  // Own keys only: "constructor" or "toString" from a config.json must not resolve to Object's members.
  const fn = Object.hasOwn(ACTIVATIONS, name) ? ACTIVATIONS[name] : undefined;
  if (fn == null) {
    throw new C2iError(
      ErrorCode.UNSUPPORTED_ARCH,
      `${where}: activation ${previewJson(name)} is not supported; supported: ${Object.keys(ACTIVATIONS).join(", ")}`,
    );
  }
  return fn;
}
