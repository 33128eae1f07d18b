// Every architecture, from a tiny checkpoint in the real file format, against an independent float64 reference.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_BACKENDS, useBackend } from "./backends.ts";
import { crossEntropyLoss, normalSampler, tinyBatch, tinyModels, useTinyModel, type TinyModel } from "./fixtures.ts";
import { referenceFor } from "./reference/forward.ts";
import { crossEntropy, type RefWeights } from "./reference/ops.ts";

function toRef(model: TinyModel): RefWeights {
  return new Map([...model.weights].map(([n, t]) => [n, { shape: t.shape, data: Float64Array.from(t.data) }]));
}

/** The stored tensor plus eps·D, where D is given with rows = output features. */
function perturbed(weights: RefWeights, name: string, layout: "linear" | "conv1d", D: Float64Array, eps: number): RefWeights {
  const t = weights.get(name)!;
  const data = Float64Array.from(t.data);
  const [a, b] = t.shape as [number, number];
  if (layout === "linear") for (let i = 0; i < data.length; i++) data[i]! += eps * D[i]!;
  else for (let i = 0; i < a; i++) for (let o = 0; o < b; o++) data[i * b + o]! += eps * D[o * a + i]!; // stored [in, out]
  return new Map(weights).set(name, { shape: t.shape, data });
}

const batch = tinyBatch();
const positions = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
const targets = [17, 5, 28, 9, 2, 0, 21, 4];

describe.each(TEST_BACKENDS)("on the %s backend", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each(tinyModels().map((m) => [m.name, m] as const))("%s", (_name, tiny) => {
    const loaded = useTinyModel(tiny);
    const ref = toRef(tiny);
    const forward = referenceFor(tiny.config["model_type"] as string);
    const refLoss = (weights: RefWeights) => {
      const logits = forward(weights, tiny.config, batch);
      return crossEntropy(Array.from(positions, (p) => logits[p]!), targets);
    };

    it("computes logits at every position equal to the float64 reference within 1e-4 relative", () => {
      const all = Int32Array.from({ length: batch.batch * batch.length }, (_, i) => i);
      const model = loaded();
      const logits = tf.tidy(() => model.logitsAt(batch, all).arraySync());
      const expected = forward(ref, tiny.config, batch);
      let scale = 0;
      let err = 0;
      expected.forEach((row, p) =>
        row.forEach((v, j) => {
          scale = Math.max(scale, Math.abs(v));
          err = Math.max(err, Math.abs(v - logits[p]![j]!));
        }),
      );
      expect(scale).toBeGreaterThan(0.1);
      expect(err / scale).toBeLessThanOrEqual(1e-4);
    });

    it("gives the loss gradient of one candidate matrix equal to central finite differences of the reference", () => {
      const model = loaded();
      const info = model.candidates.find((c) => c.name === tiny.probe.name)!;
      expect(info).toBeDefined();
      const { value, grads } = model.gradients([info.name], crossEntropyLoss(model, batch, positions, targets));
      expect([...grads.keys()]).toEqual([info.name]);
      const G = grads.get(info.name)!;
      expect(G.length).toBe(info.rows * info.cols);
      expect(value).toBeCloseTo(refLoss(ref), 4);

      // Directional derivative along a random direction D (rows = output features).
      const normal = normalSampler(99);
      const D = Float64Array.from({ length: G.length }, () => normal());
      const eps = 1e-4;
      const fd = (refLoss(perturbed(ref, info.name, tiny.probe.layout, D, eps)) - refLoss(perturbed(ref, info.name, tiny.probe.layout, D, -eps))) / (2 * eps);
      const analytic = G.reduce((s, g, i) => s + g * D[i]!, 0);
      expect(Math.abs(fd)).toBeGreaterThan(1e-3);
      expect(Math.abs(analytic - fd) / Math.abs(fd)).toBeLessThan(1e-3);

      // The largest single entry, which also checks the row/column convention.
      let top = 0;
      for (let i = 1; i < G.length; i++) if (Math.abs(G[i]!) > Math.abs(G[top]!)) top = i;
      const E = new Float64Array(G.length);
      E[top] = 1;
      const fdTop = (refLoss(perturbed(ref, info.name, tiny.probe.layout, E, eps)) - refLoss(perturbed(ref, info.name, tiny.probe.layout, E, -eps))) / (2 * eps);
      expect(Math.abs(G[top]! - fdTop)).toBeLessThan(1e-3 * Math.abs(fdTop) + 1e-6);
    });
  });
});
