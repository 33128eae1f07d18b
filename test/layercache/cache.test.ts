// LayerCache on a 6-layer GPT-2 (wasm backend): edits of layer ℓ run from cached inputs to the same numbers, within a memory bound, without leaks.
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { LanguageModel } from "../../agent/models/types.ts";
import { loadDataset, type Dataset } from "../../agent/tasks/dataset.ts";
import { EncodingCache } from "../../agent/tasks/encoding.ts";
import { encodedTaskFor, evaluateTask, type TaskRunOptions } from "../../agent/tasks/run.ts";
import { LayerCache, taskKey, type CachedTask } from "../../agent/work/layer-cache.ts";
import { silentLogger } from "../../common/log.ts";
import { charTokenizer, writeChoiceTask, writeRandomCheckpoint } from "./fixtures.ts";

const L = 6;
const tokenizer = charTokenizer();
const run: TaskRunOptions = { batchSize: 8 };
let root = "";
let model: LanguageModel;
let dataset: Dataset;
const encoding = new EncodingCache();
const setA = Array.from({ length: 12 }, (_, i) => i);
const setB = Array.from({ length: 12 }, (_, i) => 20 + i);

const tasksOf = (indices: number[]): CachedTask[] => [{ key: taskKey(indices, run), batches: encodedTaskFor(model, tokenizer, dataset, indices, { ...run, cache: encoding }).batches }];
const perLayerBytes = (indices: number[]) => tasksOf(indices)[0]!.batches.reduce((n, b) => n + b.tokens.batch * b.tokens.length * 32 * 4, 0);
const evaluate = (indices: number[], cache?: LayerCache, from?: number) => {
  const logits = cache && from !== undefined ? cache.logitsHook(taskKey(indices, run), from) : undefined;
  const r = evaluateTask(model, tokenizer, dataset, indices, { ...run, cache: encoding, ...(logits ? { logits } : {}) });
  return { correct: r.correct, n: r.n, loss: r.loss };
};
/** Runs `body` with a matrix of `layer` scaled (an edit of that layer), restoring it after. */
function withEditOf<T>(layer: number, body: () => T): T {
  const name = `transformer.h.${layer}.mlp.c_fc.weight`;
  const original = model.readMatrix(name);
  model.writeMatrix(name, original.map((v, i) => (i % 3 === 0 ? -v : v * 0.3)));
  try {
    return body();
  } finally {
    model.writeMatrix(name, original);
  }
}

beforeAll(async () => {
  await selectBackend({ prefer: "wasm", blas: "off", logger: silentLogger() });
  root = mkdtempSync(join(tmpdir(), "c2i-layercache-"));
  writeRandomCheckpoint(join(root, "gpt2"), { arch: "gpt2", layers: L, hidden: 32, heads: 4, inner: 64, seed: 3 });
  model = await loadModel(join(root, "gpt2"));
  dataset = loadDataset(writeChoiceTask(join(root, "task.jsonl"), 40));
});
afterAll(() => {
  model?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("LayerCache", () => {
  it("gives an edit of layer ℓ the same accuracy and loss from cached inputs as the full forward, for every ℓ", () => {
    const cache = new LayerCache(model, 1 << 30);
    cache.warm("A", tasksOf(setA));
    expect(cache.layersOf("A")).toEqual([1, 2, 3, 4, 5]);
    for (let layer = 0; layer < L; layer++) {
      const [full, cached] = withEditOf(layer, () => [evaluate(setA), evaluate(setA, cache, layer)] as const);
      expect(cached.correct, `layer ${layer}`).toBe(full.correct);
      expect(cached.n).toBe(full.n);
      // The same kernels on the same shapes from the same inputs: the same bits, not merely close.
      expect(cached.loss, `layer ${layer}`).toBe(full.loss);
    }
    const base = evaluate(setA, cache, L);
    expect(base).toEqual(evaluate(setA));
    expect(cache.stats().partial).toBeGreaterThan(0);
    cache.dispose();
  });

  it("really reads the cache: starting after the edited layer misses the edit (the check above can fail)", () => {
    const cache = new LayerCache(model, 1 << 30);
    cache.warm("A", tasksOf(setA));
    const [full, wrong] = withEditOf(1, () => [evaluate(setA), evaluate(setA, cache, 5)] as const);
    expect(wrong.loss).not.toBeCloseTo(full.loss, 6);
    expect(wrong).toEqual(evaluate(setA));
    cache.dispose();
  });

  it("keeps a choice row's shared prompt once (one packed row per sample), not one copy per choice", () => {
    const perChoice: TaskRunOptions = { ...run, choiceEncoding: "per-choice" };
    const warmed = (options: TaskRunOptions) => {
      const cache = new LayerCache(model, 1 << 30);
      const batches = encodedTaskFor(model, tokenizer, dataset, setA, { ...options, cache: encoding }).batches;
      cache.warm("A", [{ key: taskKey(setA, options), batches }]);
      const { bytes } = cache.stats();
      cache.dispose();
      return { bytes, rows: batches.reduce((n, b) => n + b.tokens.batch, 0) };
    };
    const [shared, reference] = [warmed(run), warmed(perChoice)];
    expect(shared.rows).toBe(setA.length);
    expect(reference.rows).toBeGreaterThan(2 * setA.length);
    expect(shared.bytes).toBeLessThan(reference.bytes);
  });

  it("keeps fewer, evenly spaced layers under a tight bound, never more bytes than it, and stays exact", () => {
    const bound = 2 * perLayerBytes(setA) + 100;
    const cache = new LayerCache(model, bound);
    cache.warm("A", tasksOf(setA));
    expect(cache.layersOf("A")).toEqual([2, 4]);
    expect(cache.stats().bytes).toBeLessThanOrEqual(bound);
    for (const layer of [1, 3, 5]) {
      const [full, cached] = withEditOf(layer, () => [evaluate(setA), evaluate(setA, cache, layer)] as const);
      expect(cached.correct).toBe(full.correct);
      expect(cached.loss).toBe(full.loss);
    }
    cache.dispose();
    const none = new LayerCache(model, perLayerBytes(setA) - 1);
    none.warm("A", tasksOf(setA));
    expect(none.layersOf("A")).toEqual([]);
    expect(none.stats().bytes).toBe(0);
    expect(evaluate(setA, none, 3)).toEqual(evaluate(setA));
    expect(new LayerCache(model, 0).enabled).toBe(false);
    expect(() => new LayerCache(model, -1)).toThrow(/layerCacheBytes/);
  });

  it("drops the least recently used sample set to make room for a new one", () => {
    const bound = 5 * perLayerBytes(setA) + 5 * perLayerBytes(setB) - 1;
    const cache = new LayerCache(model, bound);
    cache.warm("A", tasksOf(setA));
    cache.warm("B", tasksOf(setB));
    expect(cache.stats().sets).toBe(1);
    expect(cache.layersOf("A")).toEqual([]);
    expect(cache.layersOf("B")).toEqual([1, 2, 3, 4, 5]);
    expect(cache.stats().bytes).toBeLessThanOrEqual(bound);
    cache.dispose();
  });

  it("frees every cached tensor on dispose and keeps tf.memory() flat across repeated evaluations", () => {
    const before = tf.memory().numTensors;
    const cache = new LayerCache(model, 1 << 30);
    cache.warm("A", tasksOf(setA));
    const batches = tasksOf(setA)[0]!.batches.length;
    expect(tf.memory().numTensors).toBe(before + batches * (L - 1));
    cache.warm("A", tasksOf(setA));
    expect(tf.memory().numTensors).toBe(before + batches * (L - 1));
    evaluate(setA, cache, 3);
    const held = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) withEditOf(i % L, () => evaluate(setA, cache, i % L));
    expect(tf.memory().numTensors).toBe(held);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(cache.stats().bytes).toBe(0);
  });
});
