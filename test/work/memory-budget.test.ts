// The agent's memory budget (ShardExecutor memoryBudgetBytes): a model whose plan cannot fit is refused before any tensor
// is read; the layer cache gets what the rest leaves; idle models make room; results never depend on the budget.
import { cpSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SafetensorsFile } from "../../agent/checkpoint/file.ts";
import { hostKernelActive } from "../../agent/compute/blas/host-matmul.ts";
import { planEngine, readMemoryPlan } from "../../agent/models/memory-plan.ts";
import { ShardExecutor, type ShardExecutorOptions } from "../../agent/work/executor.ts";
import type { EvaluateResult, ScoreResult, WorkRef } from "../../common/shards.ts";
import { demoFixture, OTHER, PLANTED, type DemoFixture } from "./fixture.ts";

let fx: DemoFixture;
let twin = "";
const samples = { name: "adapt", indices: Array.from({ length: 24 }, (_, i) => 3 * i) };
const ref = (jobId: string, model = fx.model): WorkRef => ({ jobId, model, dataset: fx.dataset });
const executor = (options: Partial<ShardExecutorOptions> = {}) => new ShardExecutor({ svd: fx.svd, chunkSize: 8, batchSize: 8, ...options });
const plan = (layerCacheBytes = 512 * 2 ** 20) => readMemoryPlan(fx.model, { engine: planEngine(tf.getBackend(), hostKernelActive()), rows: 8, layerCacheBytes });

beforeAll(async () => {
  fx = await demoFixture();
  twin = join(fx.root, "twin");
  cpSync(fx.model, twin, { recursive: true });
});
afterAll(() => fx?.cleanup());

describe("an agent's memory budget", () => {
  it("refuses a model whose plan exceeds it, naming each part and the budget, before reading a tensor", async () => {
    const reads = vi.spyOn(SafetensorsFile.prototype, "readStored");
    const ex = executor({ memoryBudgetBytes: 2 ** 20 });
    try {
      const run = ex.run({ kind: "prepare", shardId: "p", ref: ref("small") });
      await expect(run).rejects.toMatchObject({ name: "C2iError", code: "INVALID_ARGUMENT" });
      await expect(run).rejects.toThrow(
        new RegExp(`^${fx.model}: the memory plan on cpu needs [\\d.]+ MiB before any layer cache \\(host weights [\\d.]+ KiB \\(F32\\), backend weights .*activations [\\d.]+ MiB \\(8 × 48 tokens\\).*\\), beyond the 1\\.0 MiB memory budget \\(--memory-gib\\)`),
      );
      expect(reads).not.toHaveBeenCalled();
      expect(ex.cachedModels()).toEqual([]);
    } finally {
      reads.mockRestore();
      await ex.close();
    }
  });

  it("gives the layer cache what the rest leaves and reports the plan; the numbers equal those without a budget", async () => {
    const fixed = plan().totalBytes - plan().layerCacheBytes;
    const capped = executor({ memoryBudgetBytes: fixed + 4096 });
    const free = executor();
    const shards = (jobId: string) => [
      { kind: "score" as const, shardId: "s", ref: ref(jobId), samples, matrices: [PLANTED, OTHER], blockCounts: [1, 2], smallest: 5 },
      { kind: "evaluate" as const, shardId: "e", ref: ref(jobId), samples, candidates: [null, { matrix: PLANTED, blocks: 1, rate: 0.4 }, { matrix: OTHER, blocks: 2, rate: 0.6 }] },
    ];
    try {
      const results: (ScoreResult | EvaluateResult)[][] = [[], []];
      for (const [i, ex] of [capped, free].entries()) for (const shard of shards(`j${i}`)) results[i]!.push((await ex.run(shard)) as ScoreResult | EvaluateResult);
      const strip = (r: ScoreResult | EvaluateResult) => ({ ...r, timings: undefined });
      expect(results[0]!.map(strip)).toEqual(results[1]!.map(strip));
      const report = capped.memoryBudget()!;
      expect(report.budgetBytes).toBe(fixed + 4096);
      expect(report.plans).toHaveLength(1);
      expect(report.plans[0]).toMatchObject({ model: fx.model, layerCacheBytes: 4096, requestedLayerCacheBytes: 512 * 2 ** 20, totalBytes: fixed + 4096 });
      expect(capped.layerCacheStats().bytes).toBeLessThanOrEqual(4096);
      expect(free.layerCacheStats().bytes).toBeGreaterThan(4096);
      expect(free.memoryBudget()).toBeUndefined();
    } finally {
      await capped.close();
      await free.close();
    }
  });

  it("frees an idle model when the next one would not fit beside it", async () => {
    const p = plan(0);
    const ex = executor({ layerCacheBytes: 0, memoryBudgetBytes: p.totalBytes + (p.hostWeightBytes + p.backendWeightBytes) / 2, idleModels: 2 });
    const roomy = executor({ layerCacheBytes: 0, memoryBudgetBytes: p.totalBytes + 2 * (p.hostWeightBytes + p.backendWeightBytes), idleModels: 2 });
    try {
      for (const e of [ex, roomy]) {
        await e.run({ kind: "prepare", shardId: "a", ref: ref("a") });
        e.dropJob("a");
        await e.run({ kind: "prepare", shardId: "b", ref: ref("b", twin) });
      }
      expect(ex.cachedModels()).toEqual([twin]);
      expect(roomy.cachedModels().sort()).toEqual([fx.model, twin].sort());
      // A plan leaves with its model: the report names the loaded models only.
      expect(ex.memoryBudget()!.plans.map((q) => q.model)).toEqual([twin]);
      expect(roomy.memoryBudget()!.plans.map((q) => q.model).sort()).toEqual([fx.model, twin].sort());
    } finally {
      await ex.close();
      await roomy.close();
    }
  });
});
