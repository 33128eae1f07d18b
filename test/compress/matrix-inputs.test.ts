// The engine's matrixInputs hook returns exactly what a matrix multiplies: here RMSNorm(h)·g for layer 0's q_proj.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../agent/models/load.ts";
import type { LanguageModel, TokenBatch } from "../../agent/models/types.ts";
import { demoFixture, type DemoFixture } from "../work/fixture.ts";

let fx: DemoFixture;
let model: LanguageModel;
beforeAll(async () => {
  fx = await demoFixture();
  model = await loadModel(fx.model);
});
afterAll(() => {
  model?.dispose();
  fx?.cleanup();
});

describe("LanguageModel.matrixInputs", () => {
  it("gives q_proj of layer 0 the RMS-normalised embeddings, one row per token, without leaking tensors", () => {
    const batch: TokenBatch = { ids: Int32Array.from([3, 7, 11, 5, 2, 9, 4, 8]), mask: Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1]), batch: 2, length: 4 };
    const q = "model.layers.0.self_attn.q_proj.weight";
    const before = tf.memory().numTensors;
    const inputs = model.matrixInputs!(batch, [q]);
    const states = model.hiddenStates!(batch);
    const x = inputs.get(q)!.arraySync() as number[][];
    const h = (states[0]!.arraySync() as number[][][]).flat();
    tf.dispose([...inputs.values(), ...states]);
    expect(tf.memory().numTensors).toBe(before);
    const g = model.stateDict().get("model.layers.0.input_layernorm.weight")!.data;
    expect(x.length).toBe(8);
    for (let t = 0; t < 8; t++) {
      const rms = Math.sqrt(h[t]!.reduce((s, v) => s + v * v, 0) / h[t]!.length + 1e-5);
      for (let j = 0; j < 64; j++) expect(Math.abs(x[t]![j]! - (h[t]![j]! / rms) * g[j]!)).toBeLessThan(1e-4);
    }
  });

  it("refuses a name that is not a candidate matrix", () => {
    const batch: TokenBatch = { ids: Int32Array.from([3, 7]), mask: Int32Array.from([1, 1]), batch: 1, length: 2 };
    expect(() => model.matrixInputs!(batch, ["model.norm.weight"])).toThrow(/not a candidate matrix/);
  });
});
