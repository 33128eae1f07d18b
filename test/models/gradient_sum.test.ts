// Gradient sums over several losses (micro-batches) held on the device: equal to the per-loss gradients added up,
// with the backend's own kernels and with BLAS, and nothing leaks.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { blasMissing } from "../blas/backends.ts";
import { registerBlasKernels, unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import { silentLogger } from "../../common/log.ts";
import { crossEntropyLoss, tinyBatch, tinyModels, useTinyModel } from "./fixtures.ts";


const VARIANTS = [
  { name: "cpu", prefer: "cpu", blas: "off" },
  { name: "wasm", prefer: "wasm", blas: "off" },
  { name: "wasm + BLAS", prefer: "wasm", blas: "auto" },
  { name: "cpu + BLAS", prefer: "cpu", blas: "auto" },
] as const;

const batch = tinyBatch();
const lossA = (m: TransformerModel) => crossEntropyLoss(m, batch, Int32Array.from([2, 4, 7]), [1, 2, 3]);
const lossB = (m: TransformerModel) => crossEntropyLoss(m, batch, Int32Array.from([0, 3, 5]), [4, 0, 9]);

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-5 * scale);
}

describe.each(VARIANTS.filter((v) => !(blasMissing !== undefined && v.blas === "auto")))("gradient sums on $name", (variant) => {
  beforeAll(async () => {
    await selectBackend({ prefer: variant.prefer, blas: variant.blas, blasThreads: 1, logger: silentLogger() });
  });

  describe.each(tinyModels().filter((m) => ["gpt2", "llama (GQA, tied)"].includes(m.name)).map((m) => [m.name, m] as const))("%s", (_n, tiny) => {
    const loaded = useTinyModel(tiny);

    it("sum over two losses = their separate gradients added, for every candidate, and the values add up", () => {
      const model = loaded();
      const names = model.candidates.map((c) => c.name);
      const a = model.gradients(names, lossA(model));
      const b = model.gradients(names, lossB(model));
      const sum = model.gradientSum(names);
      try {
        expect(sum.add(lossA(model))).toBeCloseTo(a.value, 5);
        expect(sum.add(lossB(model))).toBeCloseTo(b.value, 5);
        const total = sum.read();
        expect([...total.keys()]).toEqual(names);
        for (const n of names) expectClose(total.get(n)!, a.grads.get(n)!.map((g, i) => g + b.grads.get(n)![i]!));
      } finally {
        sum.dispose();
      }
    });

    it.skipIf(variant.blas === "off")("with BLAS equals the backend's own kernels' sum", () => {
      const model = loaded();
      const names = model.candidates.map((c) => c.name);
      const run = () => {
        const sum = model.gradientSum(names);
        sum.add(lossA(model));
        sum.add(lossB(model));
        const out = sum.read();
        sum.dispose();
        return out;
      };
      const blas = run();
      expect(unregisterBlasKernels(variant.prefer)).toBe(true);
      try {
        const own = run();
        for (const n of names) expectClose(blas.get(n)!, own.get(n)!);
      } finally {
        registerBlasKernels(variant.prefer, { threads: 1 });
      }
    });

    it("keeps tf.memory().numTensors flat across sums, and reads zeros before any loss", () => {
      const model = loaded();
      const names = model.candidates.slice(0, 2).map((c) => c.name);
      const cycle = () => {
        const sum = model.gradientSum(names);
        sum.add(lossA(model));
        sum.add(lossB(model));
        sum.read();
        sum.dispose();
      };
      cycle();
      const start = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) cycle();
      expect(tf.memory().numTensors).toBe(start);
      const empty = model.gradientSum(names);
      expect([...empty.read().values()].every((g) => g.length > 0 && g.every((v) => v === 0))).toBe(true);
      empty.dispose();
    });
  });
});
