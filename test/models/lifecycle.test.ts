// Weight swaps in place, layer-wise forwards, the stored-layout convention, and no tensor leaks.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import { TEST_BACKENDS, useBackend } from "./backends.ts";
import { crossEntropyLoss, tinyBatch, tinyModels, useTinyModel } from "./fixtures.ts";

const batch = tinyBatch();
const positions = Int32Array.from([2, 4, 7]);

const ceLoss = (model: TransformerModel) => crossEntropyLoss(model, batch, positions, [1, 2, 3]);

describe.each(TEST_BACKENDS)("on the %s backend", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(tinyModels().filter((m) => ["gpt2", "llama (GQA, tied)", "roberta"].includes(m.name)).map((m) => [m.name, m] as const))("%s", (_n, tiny) => {
    const loaded = useTinyModel(tiny);

    it("reads candidate matrices with rows = output features, whatever the stored layout", () => {
      const model = loaded();
      const stored = tiny.weights.get(tiny.probe.name)!;
      const info = model.candidates.find((c) => c.name === tiny.probe.name)!;
      const m = model.readMatrix(info.name);
      const [a, b] = stored.shape as [number, number];
      if (tiny.probe.layout === "conv1d") {
        expect([info.rows, info.cols]).toEqual([b, a]);
        for (let i = 0; i < a; i++) for (let o = 0; o < b; o++) expect(m[o * a + i]).toBe(stored.data[i * b + o]);
      } else {
        expect([info.rows, info.cols]).toEqual([a, b]);
        expect(Array.from(m)).toEqual(Array.from(stored.data));
      }
    });

    it("swaps a matrix in place: logits change, and writing the original back restores them exactly", () => {
      const model = loaded();
      const name = tiny.probe.name;
      const original = model.readMatrix(name);
      const before = tf.tidy(() => model.logitsAt(batch, positions).dataSync().slice());
      const variablesBefore = tf.memory().numTensors;
      model.writeMatrix(name, original.map((v) => v * 0.5));
      expect(tf.memory().numTensors).toBe(variablesBefore);
      const edited = tf.tidy(() => model.logitsAt(batch, positions).dataSync().slice());
      expect(Math.max(...edited.map((v, i) => Math.abs(v - before[i]!)))).toBeGreaterThan(1e-3);
      model.writeMatrix(name, original);
      const restored = tf.tidy(() => model.logitsAt(batch, positions).dataSync().slice());
      expect(Array.from(restored)).toEqual(Array.from(before));
    });

    it("writes edits back in the checkpoint's own layout through stateDict", () => {
      const model = loaded();
      const name = tiny.probe.name;
      const original = model.readMatrix(name);
      const edited = original.map((v, i) => v + i * 1e-3);
      model.writeMatrix(name, edited);
      const state = model.stateDict().get(name)!;
      model.writeMatrix(name, original);
      expect(state.shape).toEqual(tiny.weights.get(name)!.shape);
      const [a, b] = state.shape as [number, number];
      for (let r = 0; r < a; r++) {
        for (let c = 0; c < b; c++) {
          const expected = tiny.probe.layout === "conv1d" ? edited[c * a + r] : edited[r * b + c];
          expect(state.data[r * b + c]).toBe(expected);
        }
      }
      expect(new Set(model.stateDict().keys())).toEqual(new Set(tiny.weights.keys()));
    });

    it("runs layers ℓ…L from cached hidden states to the same logits as the full forward", () => {
      const model = loaded();
      const full = tf.tidy(() => model.logitsAt(batch, positions).dataSync().slice());
      const states = model.hiddenStates(batch);
      expect(states.length).toBe(model.config.numLayers + 1);
      for (let layer = 0; layer <= model.config.numLayers; layer++) {
        const partial = tf.tidy(() => model.logitsFromLayer(batch, layer, states[layer]!, positions).dataSync().slice());
        for (let i = 0; i < full.length; i++) expect(Math.abs(partial[i]! - full[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(full[i]!)));
      }
      tf.dispose(states);
    });

    it("keeps tf.memory().numTensors flat across 30 cycles of logitsAt, gradients, readMatrix and writeMatrix", () => {
      const model = loaded();
      const names = model.candidates.slice(0, 3).map((c) => c.name);
      const cycle = () => {
        tf.tidy(() => model.logitsAt(batch, positions)).dispose();
        const { grads } = model.gradients(names, ceLoss(model));
        const w = model.readMatrix(names[0]!);
        const g = grads.get(names[0]!)!;
        model.writeMatrix(names[0]!, w.map((v, i) => v - 1e-3 * g[i]!));
      };
      cycle();
      const start = tf.memory().numTensors;
      for (let i = 0; i < 30; i++) cycle();
      expect(tf.memory().numTensors).toBe(start);
    });

    it("returns gradients for exactly the requested matrices", () => {
      const model = loaded();
      const names = [model.candidates[model.candidates.length - 1]!.name, model.candidates[0]!.name];
      const { value, grads } = model.gradients(names, ceLoss(model));
      expect(Number.isFinite(value)).toBe(true);
      expect([...grads.keys()]).toEqual(names);
      for (const n of names) {
        const info = model.candidates.find((c) => c.name === n)!;
        expect(grads.get(n)!.length).toBe(info.rows * info.cols);
        expect(grads.get(n)!.some((g) => g !== 0)).toBe(true);
      }
    });
  });
});
