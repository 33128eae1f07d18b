// Evaluate shards with and without the layer cache, on the demo and 4-layer GPT-2 / Llama checkpoints: same numbers, no leaks.
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import type { Svd } from "../../agent/linalg/svd/types.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { ShardExecutor, type ShardExecutorOptions } from "../../agent/work/executor.ts";
import { silentLogger } from "../../common/log.ts";
import type { Candidate, EvaluateResult, EvaluateShard, Evaluation, PrepareResult, WorkRef } from "../../common/shards.ts";
import { charTokenizer, writeAnswerTask, writeChoiceTask, writeRandomCheckpoint } from "./fixtures.ts";

let root = "";
let svd: Svd;
const cases: { name: string; model: string; dataset: string; charTokens: boolean }[] = [];

beforeAll(async () => {
  await selectBackend({ prefer: "wasm", blas: "off", logger: silentLogger() });
  svd = selectSvd({ prefer: "auto" });
  root = mkdtempSync(join(tmpdir(), "c2i-layercache-ex-"));
  const demo = writeDemo(join(root, "demo"));
  cases.push({ name: "demo (llama, generative)", model: demo.model, dataset: demo.dataset, charTokens: false });
  for (const arch of ["gpt2", "llama"] as const) {
    const model = writeRandomCheckpoint(join(root, arch), { arch, layers: 4, hidden: 32, heads: 4, inner: 48, seed: arch === "gpt2" ? 5 : 6 });
    cases.push({ name: `${arch} (choice)`, model, dataset: writeChoiceTask(join(root, `${arch}-choice.jsonl`), 40), charTokens: true });
    cases.push({ name: `${arch} (generative)`, model, dataset: writeAnswerTask(join(root, `${arch}-answer.jsonl`), 40), charTokens: true });
  }
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const executor = (charTokens: boolean, options: Partial<ShardExecutorOptions> = {}) =>
  new ShardExecutor({ svd, chunkSize: 8, batchSize: 8, ...(charTokens ? { loadTokenizer: async () => charTokenizer() } : { loadTokenizer }), ...options });

/** One matrix per layer at two rates, the baseline first and last. */
async function shardFor(ex: ShardExecutor, ref: WorkRef, indices: number[]): Promise<EvaluateShard> {
  const prepared = (await ex.run({ kind: "prepare", shardId: "p", ref })) as PrepareResult;
  const byLayer = new Map<number, string>();
  for (const c of prepared.candidates) if (!byLayer.has(c.layer) || c.kind === "mlp_in" || c.kind === "qkv") byLayer.set(c.layer, c.name);
  const candidates: (Candidate | null)[] = [null];
  for (const matrix of byLayer.values()) for (const rate of [0.5, 0.9]) candidates.push({ matrix, blocks: 1, rate });
  candidates.push(null);
  return { kind: "evaluate", shardId: "e", ref, samples: { name: "adapt", indices }, candidates };
}

function expectSame(cached: readonly Evaluation[], full: readonly Evaluation[]): void {
  expect(cached.length).toBe(full.length);
  cached.forEach((c, i) => {
    const f = full[i]!;
    expect(c.candidate).toEqual(f.candidate);
    expect([c.correct, c.n, c.accuracy, c.stoppedEarly]).toEqual([f.correct, f.n, f.accuracy, f.stoppedEarly]);
    // From cached hidden states or by the full forward, the same bits (same kernels, shapes and inputs).
    expect(c.loss, JSON.stringify(c.candidate)).toBe(f.loss);
  });
}

describe("evaluate shards with the layer cache", () => {
  it("give every candidate the same accuracy, and loss within 1e-6 relative, as the full forward (demo, GPT-2, Llama; both protocols)", { timeout: 120_000 }, async () => {
    for (const c of cases) {
      const indices = Array.from({ length: 16 }, (_, i) => 2 * i + 1);
      const ref: WorkRef = { jobId: "j", model: c.model, dataset: c.dataset };
      const on = executor(c.charTokens);
      const off = executor(c.charTokens, { layerCacheBytes: 0 });
      try {
        const shard = await shardFor(on, ref, indices);
        await off.run({ kind: "prepare", shardId: "p", ref });
        const a = (await on.run(shard)) as EvaluateResult;
        const b = (await off.run(shard)) as EvaluateResult;
        expect(a.timings.layerCacheMs, c.name).toBeGreaterThan(0);
        expect(b.timings.layerCacheMs, c.name).toBeUndefined();
        expectSame(a.evaluations, b.evaluations);
        // A second shard reuses the warmed set (no new warm-up) and still agrees.
        const again = (await on.run({ ...shard, shardId: "e2", candidates: shard.candidates.slice(1, 4) })) as EvaluateResult;
        expect(again.timings.layerCacheMs ?? 0).toBeLessThan(a.timings.layerCacheMs!);
        expectSame(again.evaluations, b.evaluations.slice(1, 4));
      } finally {
        await on.close();
        await off.close();
      }
    }
  });

  it("computes one SVD per (matrix, block count): every rate of it is a truncation of the same factors", { timeout: 60_000 }, async () => {
    const c = cases[0]!;
    let calls = 0;
    const counting: Svd = { name: svd.name, decompose: (a) => (calls++, svd.decompose(a)) };
    const ex = executor(c.charTokens, { svd: counting });
    try {
      const ref: WorkRef = { jobId: "svd", model: c.model, dataset: c.dataset };
      const prepared = (await ex.run({ kind: "prepare", shardId: "p", ref })) as PrepareResult;
      const [m1, m2] = prepared.candidates.map((x) => x.name);
      const grid = (matrix: string, blocks: number) => [0.2, 0.5, 0.9].map((rate) => ({ matrix, blocks, rate }));
      const samples = { name: "adapt", indices: [0, 1, 2, 3] };
      await ex.run({ kind: "evaluate", shardId: "e1", ref, samples, candidates: [...grid(m1!, 1), ...grid(m2!, 1)] });
      expect(calls).toBe(2);
      await ex.run({ kind: "evaluate", shardId: "e2", ref, samples, candidates: [...grid(m1!, 2), ...grid(m1!, 1)] });
      expect(calls).toBe(4); // K = 2 has two blocks, each one SVD; K = 1 of m1 is reused
    } finally {
      await ex.close();
    }
  });

  it("keeps tf.memory() flat across repeated shards and frees the cached states when the job is dropped", { timeout: 60_000 }, async () => {
    const c = cases.find((x) => x.name === "gpt2 (choice)")!;
    const before = tf.memory().numTensors;
    // No idle model kept, so that dropping the last job must free every tensor.
    const ex = executor(true, { idleModels: 0 });
    try {
      const ref: WorkRef = { jobId: "mem", model: c.model, dataset: c.dataset };
      const shard = await shardFor(ex, ref, Array.from({ length: 12 }, (_, i) => i));
      await ex.run(shard);
      const held = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) await ex.run({ ...shard, shardId: `e${i}` });
      expect(tf.memory().numTensors).toBe(held);
      // A second job on the same model keeps the model loaded: dropping the first frees exactly its cached states.
      await ex.run({ ...shard, ref: { ...ref, jobId: "other" } });
      const both = tf.memory().numTensors;
      expect(ex.dropJob("mem")).toBe(true);
      const cachedPerJob = both - tf.memory().numTensors;
      expect(cachedPerJob).toBeGreaterThan(0);
      expect(ex.dropJob("other")).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await ex.close();
    }
  });
});
