// Gradient micro-batches under a memory limit are planned from the model and the task alone, so one job's
// ∂L/∂W are the same bits whatever else the heap holds and whichever matrices a shard asks for; and an agent
// frees its caches before a gradient pass when the heap holds more than that plan assumes.
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import { loadDataset, type Dataset } from "../../agent/tasks/dataset.ts";
import { gradientBytesPerToken } from "../../agent/tasks/memory.ts";
import { gradientPass, gradientPlanBytes } from "../../agent/tasks/run.ts";
import { ShardExecutor } from "../../agent/work/executor.ts";
import { silentLogger } from "../../common/log.ts";
import type { EvaluateShard, PrepareResult, ScoreShard, WorkRef } from "../../common/shards.ts";
import { charTokenizer, writeChoiceTask, writeRandomCheckpoint } from "../layercache/fixtures.ts";

const tokenizer = charTokenizer();
let root = "";
let modelDir = "";
let model: TransformerModel;
let dataset: Dataset;
const indices = Array.from({ length: 24 }, (_, i) => i);

beforeAll(async () => {
  await selectBackend({ prefer: "wasm", blas: "auto", logger: silentLogger() });
  root = mkdtempSync(join(tmpdir(), "c2i-gradient-plan-"));
  modelDir = writeRandomCheckpoint(join(root, "gpt2"), { arch: "gpt2", layers: 2, hidden: 32, heads: 4, inner: 64, seed: 4 });
  model = await loadModel(modelDir);
  dataset = loadDataset(writeChoiceTask(join(root, "task.jsonl"), 200));
});
afterAll(() => {
  model?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the gradient pass's memory plan", () => {
  it("cuts micro-batches the same way whatever else the heap holds and whichever matrices are asked for", () => {
    const [a, b] = [model.candidates[0]!.name, model.candidates[5]!.name];
    // A limit with room for about two of the task's longest sequences besides the plan's fixed bytes.
    const plan = gradientPlanBytes(model);
    const length = 24;
    const limit = (plan.heldBytes + plan.passBytes + 2.5 * length * gradientBytesPerToken(model.config, length)) / 0.95;
    const warnings: { rows: number }[] = [];
    const logger = { warn: (fields: { rows: number }) => warnings.push(fields) } as unknown as NonNullable<Parameters<typeof gradientPass>[5]>["logger"];
    const options = { batchSize: 8, memoryLimitBytes: limit, logger };
    const both = gradientPass(model, tokenizer, dataset, indices, [a, b], options);
    expect(warnings.length, "the limit must force smaller micro-batches for this test to mean anything").toBe(1);
    const junk = tf.zeros([8 << 20]);
    try {
      const crowded = gradientPass(model, tokenizer, dataset, indices, [a, b], options);
      expect(crowded.loss).toBe(both.loss);
      for (const name of [a, b]) expect(crowded.grads.get(name)).toEqual(both.grads.get(name));
    } finally {
      junk.dispose();
    }
    const alone = gradientPass(model, tokenizer, dataset, indices, [a], options);
    expect(alone.grads.get(a)).toEqual(both.grads.get(a));
    expect(warnings.map((w) => w.rows)).toEqual([warnings[0]!.rows, warnings[0]!.rows, warnings[0]!.rows]);
  });

  it("frees the layer caches before a gradient pass when the heap holds more than the pass plans for (wasm)", async () => {
    const ex = new ShardExecutor({ svd: selectSvd({ prefer: "auto" }), loadTokenizer: async () => tokenizer, chunkSize: 200, batchSize: 16 });
    try {
      const ref: WorkRef = { jobId: "plan", model: modelDir, dataset: join(root, "task.jsonl") };
      const prepared = (await ex.run({ kind: "prepare", shardId: "p", ref })) as PrepareResult;
      const matrix = prepared.candidates.at(-1)!.name;
      const all = Array.from({ length: 200 }, (_, i) => i);
      const evaluate: EvaluateShard = { kind: "evaluate", shardId: "e", ref, samples: { name: "all", indices: all }, candidates: [null, { matrix, blocks: 1, rate: 0.5 }, { matrix, blocks: 1, rate: 0.9 }] };
      const before = await ex.run(evaluate);
      const held = ex.layerCacheStats().bytes;
      const plan = gradientPlanBytes(model);
      expect(held, "the warmed layer cache must exceed what the gradient pass plans for").toBeGreaterThan(plan.passBytes);
      const score: ScoreShard = { kind: "score", shardId: "s", ref, samples: { name: "all", indices: all }, matrices: [matrix], blockCounts: [1], smallest: 4 };
      await ex.run(score);
      expect(ex.layerCacheStats().bytes).toBe(0);
      // Evaluations after it warm the cache again and give the same numbers.
      expect(await ex.run({ ...evaluate, shardId: "e2" })).toMatchObject({ evaluations: (before as { evaluations: unknown[] }).evaluations });
    } finally {
      await ex.close();
    }
  });
});
