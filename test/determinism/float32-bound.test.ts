// What holds where two computations legitimately differ: the same job on another GEMM (OpenBLAS's kernels vs
// tfjs-wasm's own, as between machines with different OpenBLAS kernel families or backends) rounds its float32
// logits differently, and a sample's loss then moves by at most what float32 arithmetic allows:
//
//   −log softmax(z)_y has gradient p − e_y, whose ℓ1 norm is 2(1 − p_y) ≤ 2, so |Δloss| ≤ 2‖Δz‖∞ (mean value
//   theorem; a mean over answer tokens keeps the bound), plus the rounding of the float32 log-softmax itself on
//   each side, a few units of 2⁻²⁴ relative to the largest |logit| and the loss.
//
// So per-sample losses differ by no more than twice the largest logit difference (plus that rounding), and a
// sample's correctness can only flip when its top-two logits are closer than 2‖Δz‖∞. On one kind of machine none
// of this applies: every path is the same bits (paths.test.ts).
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { registerBlasKernels, unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import { loadDataset, type Dataset } from "../../agent/tasks/dataset.ts";
import { EncodingCache } from "../../agent/tasks/encoding.ts";
import { encodedTaskFor, evaluateTask } from "../../agent/tasks/run.ts";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { silentLogger } from "../../common/log.ts";
import { blasMissing } from "../blas/backends.ts";

const U = 2 ** -24;
let root = "";
let model: TransformerModel;
let tokenizer: Tokenizer;
let dataset: Dataset;
const indices = Array.from({ length: 96 }, (_, i) => 7 * i);

beforeAll(async () => {
  await selectBackend({ prefer: "wasm", blas: "auto", logger: silentLogger() });
  root = mkdtempSync(join(tmpdir(), "c2i-float32-bound-"));
  const demo = writeDemo(join(root, "demo"));
  model = await loadModel(demo.model);
  tokenizer = await loadTokenizer(demo.model);
  dataset = loadDataset(demo.dataset);
});
afterAll(() => {
  model?.dispose();
  registerBlasKernels("wasm");
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Per-sample losses, and every logit the loss reads (batch by batch, flat). */
function run(): { losses: number[]; logits: Float32Array[] } {
  const options = { batchSize: 16, cache: new EncodingCache() };
  const ev = evaluateTask(model, tokenizer, dataset, indices, options);
  const logits = encodedTaskFor(model, tokenizer, dataset, indices, options).batches.map((b) => {
    const t = model.logitsAt(b.tokens, b.positions);
    try {
      return t.dataSync() as Float32Array;
    } finally {
      t.dispose();
    }
  });
  return { losses: ev.perSample.map((s) => s.loss), logits };
}

it.skipIf(blasMissing !== undefined)("keeps every sample's loss within 2‖Δlogits‖∞ (+ float32 log-softmax rounding) between two GEMMs", () => {
  const blas = run();
  unregisterBlasKernels("wasm");
  const own = run();
  registerBlasKernels("wasm");
  let maxDelta = 0;
  let maxLogit = 0;
  blas.logits.forEach((z, b) => z.forEach((v, i) => {
    maxDelta = Math.max(maxDelta, Math.abs(v - own.logits[b]![i]!));
    maxLogit = Math.max(maxLogit, Math.abs(v));
  }));
  // The two GEMMs really round differently here (else this test would say nothing), and only slightly.
  expect(maxDelta).toBeGreaterThan(0);
  expect(maxDelta).toBeLessThan(1e-4 * maxLogit);
  blas.losses.forEach((loss, i) => {
    const rounding = 8 * U * (maxLogit + Math.abs(loss));
    expect(Math.abs(loss - own.losses[i]!), `sample ${indices[i]}`).toBeLessThanOrEqual(2 * maxDelta + rounding);
  });
  expect(tf.getBackend()).toBe("wasm");
});
