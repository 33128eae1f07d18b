// The activations (and their hand-written derivatives) against the formulas as Hugging Face writes them, in float64.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { activationByName } from "../../agent/models/blocks/activations.ts";
import { TEST_BACKENDS, useBackend } from "./backends.ts";

const C = Math.sqrt(2 / Math.PI);
/** gelu_new exactly as written in transformers: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))). */
const geluNew = (x: number) => 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x ** 3)));
const silu = (x: number) => x / (1 + Math.exp(-x));

const xs = Array.from({ length: 201 }, (_, i) => -10 + i * 0.1);

describe.each(TEST_BACKENDS)("activations on %s", (backend) => {
  it.each([
    ["gelu_new", geluNew],
    ["silu", silu],
  ] as const)("%s matches its float64 formula, and its gradient matches central differences of that formula", async (name, reference) => {
    await useBackend(backend);
    const f = activationByName(name, "test");
    const x = tf.tensor1d(xs);
    const [y, dy] = tf.tidy(() => [f(x), tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x)]);
    const values = y.dataSync();
    const grads = dy.dataSync();
    tf.dispose([x, y, dy]);
    const h = 1e-5;
    xs.forEach((v, i) => {
      expect(values[i]).toBeCloseTo(reference(v), 5);
      const fd = (reference(v + h) - reference(v - h)) / (2 * h);
      expect(Math.abs(grads[i]! - fd)).toBeLessThan(2e-6 * Math.max(1, Math.abs(fd)));
    });
  });
});

describe("activationByName", () => {
  it.each(["constructor", "toString", "__proto__", "tanh_approx"])("refuses %s from a config.json as unsupported (own names only)", (name) => {
    expect(() => activationByName(name, "config.json hidden_act")).toThrow(expect.objectContaining({ code: "UNSUPPORTED_ARCH" }));
  });
});
