// Whole tiny models with the fused attention kernel active against the same models with BLAS off: logits and ∂L/∂W agree.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { registerAttentionKernels, unregisterAttentionKernels } from "../../agent/compute/attention/register.ts";
import { blasMissing } from "../blas/backends.ts";
import { registerBlasKernels, unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { crossEntropyLoss, tinyBatch, tinyModels, useTinyModel } from "../models/fixtures.ts";
import { ATTENTION_BACKENDS, relativeError, useBlasBackend } from "./helpers.ts";


/**
 * Every tiny architecture: GPT-2 (fused [q|k|v]), NeoX (per-head q|k|v, partial rope), GPT-J (interleaved rope),
 * Llama (GQA + rope), BERT/RoBERTa (bidirectional, padded keys).
 */
const MODELS = tinyModels();
/** Matrices feeding attention, so their gradients flow back through the fused kernel; others use the fixture's probe. */
const PROBES: Record<string, string[]> = {
  gpt2: ["transformer.h.0.attn.c_attn.weight", "transformer.h.1.mlp.c_fc.weight"],
  gpt_neox: ["gpt_neox.layers.0.attention.query_key_value.weight"],
  "llama (GQA, tied)": ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.v_proj.weight"],
};

const batch = tinyBatch();
const all = Int32Array.from({ length: batch.batch * batch.length }, (_, i) => i);
const positions = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
const targets = [17, 5, 28, 9, 2, 0, 21, 4];

describe.skipIf(blasMissing !== undefined).each(ATTENTION_BACKENDS)("tiny models on the %s backend", (backend) => {
  beforeAll(async () => {
    expect(await useBlasBackend(backend)).toBe(true);
  });

  /** Runs `f` with BLAS matMul and fused attention off, then turns both back on. */
  function withBlasOff<T>(f: () => T): T {
    unregisterBlasKernels(backend);
    unregisterAttentionKernels(backend);
    try {
      return f();
    } finally {
      registerBlasKernels(backend, { threads: 1 });
      registerAttentionKernels(backend);
    }
  }

  describe.each(MODELS.map((m) => [m.name, m] as const))("%s", (name, tiny) => {
    const loaded = useTinyModel(tiny);

    it("runs its attention through the fused kernel and gives the logits of the composite ops", async () => {
      const model = loaded();
      const profile = await tf.profile(() => tf.dispose(model.logitsAt(batch, all)));
      expect(profile.kernelNames).toContain("C2iAttention");
      expect(profile.kernelNames).not.toContain("Softmax");
      const fused = model.logitsAt(batch, all);
      const composite = withBlasOff(() => model.logitsAt(batch, all));
      expect(relativeError(fused, composite)).toBeLessThan(1e-5);
      tf.dispose([fused, composite]);
    });

    it("gives the loss gradients of the composite ops for matrices before and after attention", () => {
      const model = loaded();
      const names = PROBES[name] ?? [tiny.probe.name];
      const fused = model.gradients(names, crossEntropyLoss(model, batch, positions, targets));
      const composite = withBlasOff(() => model.gradients(names, crossEntropyLoss(model, batch, positions, targets)));
      expect(fused.value).toBeCloseTo(composite.value, 5);
      for (const n of names) {
        const a = tf.tensor1d(fused.grads.get(n)!);
        const b = tf.tensor1d(composite.grads.get(n)!);
        expect(relativeError(a, b)).toBeLessThan(1e-4);
        tf.dispose([a, b]);
      }
    });
  });
});
