// The search's score and evaluate shards under fwsvd / asvd / K-subspaces, and recipes that `apply` reproduces.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { factorMatrix, truncateFactored } from "../../agent/linalg/factorizations/factorize.ts";
import { fromFloat32 } from "../../agent/linalg/matrix.ts";
import { loadModel } from "../../agent/models/load.ts";
import { applyRecipeInMemory } from "../../agent/probe/edits.ts";
import { applyRecipe } from "../../agent/work/apply.ts";
import { ShardExecutor } from "../../agent/work/executor.ts";
import { makeRecipe, parseRecipe } from "../../common/recipe.ts";
import { resolveSpec } from "../../coordinator/plan/spec.ts";
import type { EvaluateResult, ScoreResult, WorkRef } from "../../common/shards.ts";
import { demoFixture, PLANTED, type DemoFixture } from "../work/fixture.ts";

let fx: DemoFixture;
let out: string;
const samples = { name: "adapt", indices: Array.from({ length: 16 }, (_, i) => 5 * i) };
const ref = (jobId: string, extra: Partial<WorkRef>): WorkRef => ({ jobId, model: fx.model, dataset: fx.dataset, ...extra });

beforeAll(async () => {
  fx = await demoFixture();
  out = mkdtempSync(join(tmpdir(), "c2i-fact-"));
});
afterAll(() => {
  fx?.cleanup();
  if (out) rmSync(out, { recursive: true, force: true });
});

async function scoreAndEvaluate(extra: Partial<WorkRef>): Promise<{ score: ScoreResult; evaluate: EvaluateResult }> {
  const ex = new ShardExecutor({ svd: fx.svd, chunkSize: 8 });
  try {
    const r = ref(`job-${JSON.stringify(extra)}`, extra);
    const score = (await ex.run({ kind: "score", shardId: "s", ref: r, samples, matrices: [PLANTED], blockCounts: [1, 2], smallest: 5 })) as ScoreResult;
    const evaluate = (await ex.run({ kind: "evaluate", shardId: "e", ref: { ...r, calibration: samples }, samples, candidates: [{ matrix: PLANTED, blocks: 2, rate: 0.2 }] })) as EvaluateResult;
    return { score, evaluate };
  } finally {
    await ex.close();
  }
}

describe("factorizations in the search", () => {
  it("scores and evaluates with svd, fwsvd and asvd; the weighted ones read other singular values", async () => {
    const svd = await scoreAndEvaluate({});
    const fw = await scoreAndEvaluate({ factorization: "fwsvd" });
    const as = await scoreAndEvaluate({ factorization: "asvd" });
    for (const r of [svd, fw, as]) {
      expect(r.score.scores.map((s) => s.blocks)).toEqual([1, 2]);
      expect(r.evaluate.evaluations[0]!.keptRanks).toEqual([25, 25]);
      expect(r.evaluate.evaluations[0]!.n).toBe(16);
    }
    expect(fw.score.scores[0]!.smallest[0]!.sigma).not.toEqual(svd.score.scores[0]!.smallest[0]!.sigma);
    expect(as.score.scores[0]!.smallest[0]!.sigma).not.toEqual(svd.score.scores[0]!.smallest[0]!.sigma);
    expect(fw.score.loss).toBe(svd.score.loss);
  });

  it("refuses a weighted evaluate shard without calibration samples, and unknown names", async () => {
    const ex = new ShardExecutor({ svd: fx.svd, chunkSize: 8 });
    try {
      await expect(ex.run({ kind: "evaluate", shardId: "e", ref: ref("j1", { factorization: "fwsvd" }), samples, candidates: [{ matrix: PLANTED, blocks: 1, rate: 0.5 }] })).rejects.toThrow(/calibration/);
      await expect(ex.run({ kind: "evaluate", shardId: "e", ref: ref("j2", { factorization: "nmf" }), samples, candidates: [null] })).rejects.toThrow(/svd, fwsvd or asvd/);
      await expect(ex.run({ kind: "evaluate", shardId: "e", ref: ref("j3", { clustering: "kmeans" }), samples, candidates: [null] })).rejects.toThrow(/blocks or ksubspaces/);
    } finally {
      await ex.close();
    }
  });

  it("K-subspaces at K = 1 is plain SVD; at K = 2 it evaluates its own grouping", async () => {
    const plain = await scoreAndEvaluate({});
    const ks = await scoreAndEvaluate({ clustering: "ksubspaces" });
    expect(ks.score.scores[0]!.score).toBe(plain.score.scores[0]!.score);
    expect(ks.evaluate.evaluations[0]!.keptRanks!.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it("records K-subspaces in the recipe and `apply` reproduces the clustered truncation", async () => {
    const kSubspaces = { rank: 4, maxIterations: 5, init: "seeded" as const, seed: 3 };
    const model = await loadModel(fx.model);
    let expected: Float32Array;
    let keptRanks: number[];
    try {
      const info = model.candidates.find((c) => c.name === PLANTED)!;
      const f = factorMatrix(fromFloat32(info.rows, info.cols, model.readMatrix(PLANTED)), fx.svd, { blocks: 2, clustering: "ksubspaces", kSubspaces });
      expect(f.clustering!.objective.length).toBeGreaterThan(0);
      ({ weight: expected, keptRanks } = truncateFactored(f, 0.5));
    } finally {
      model.dispose();
    }
    const recipe = parseRecipe(JSON.stringify(makeRecipe(fingerprintCheckpoint(fx.model), "llama", [{ matrix: PLANTED, blocks: 2, rate: 0.5, keptRanks, clustering: "ksubspaces", kSubspaces }])));
    expect(recipe.edits[0]!.kSubspaces).toEqual(kSubspaces);
    const dir = join(out, "ks");
    const report = await applyRecipe(fx.model, recipe, dir, { svd: fx.svd });
    expect(report.edits[0]!.clustering).toBe("ksubspaces");
    const written = await loadModel(dir);
    try {
      expect(Buffer.from(written.readMatrix(PLANTED).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    } finally {
      written.dispose();
    }
    expect(() => parseRecipe(JSON.stringify({ ...recipe, edits: [{ ...recipe.edits[0], clustering: "blocks" }] }))).toThrow(/kSubspaces is only meaningful/);
    expect(() => parseRecipe(JSON.stringify({ ...recipe, edits: [{ ...recipe.edits[0], kSubspaces: { init: "random" } }] }))).toThrow(/init must be/);
  });

  it.each([
    ["fwsvd", "rowScale"],
    ["asvd", "colScale"],
  ] as const)("%s + ksubspaces: the evaluate shard reports the %s and K-subspaces settings, and `apply` redoes the edit from them alone", async (factorization, field) => {
    const ex = new ShardExecutor({ svd: fx.svd, chunkSize: 8 });
    let result: EvaluateResult;
    try {
      const r = ref(`job-details-${factorization}`, { factorization, clustering: "ksubspaces", calibration: samples });
      result = (await ex.run({ kind: "evaluate", shardId: "f", ref: r, samples, candidates: [{ matrix: PLANTED, blocks: 2, rate: 0.5 }], describeEdits: true })) as EvaluateResult;
      const silent = (await ex.run({ kind: "evaluate", shardId: "g", ref: r, samples, candidates: [{ matrix: PLANTED, blocks: 2, rate: 0.5 }] })) as EvaluateResult;
      expect(silent.evaluations[0]!.details).toBeUndefined();
    } finally {
      await ex.close();
    }
    const e = result.evaluations[0]!;
    const details = e.details!;
    expect(details[field]!.every((x) => x > 0)).toBe(true);
    expect(details[field === "rowScale" ? "colScale" : "rowScale"]).toBeUndefined();
    expect(details.kSubspaces).toMatchObject({ maxIterations: 10, init: "blocks", seed: 0 });
    const model = await loadModel(fx.model);
    let expected: Float32Array;
    try {
      const info = model.candidates.find((c) => c.name === PLANTED)!;
      expect(details[field]).toHaveLength(field === "rowScale" ? info.rows : info.cols);
      // What the agent swapped in: the same factorization with the transform it computed (the defaults it ran with).
      const transform = { [field]: Float64Array.from(details[field]!) };
      ({ weight: expected } = truncateFactored(factorMatrix(fromFloat32(info.rows, info.cols, model.readMatrix(PLANTED)), fx.svd, { blocks: 2, clustering: "ksubspaces", transform }), 0.5));
    } finally {
      model.dispose();
    }
    const edit = { matrix: PLANTED, blocks: 2, rate: 0.5, keptRanks: e.keptRanks!, clustering: "ksubspaces" as const, kSubspaces: details.kSubspaces!, [field]: details[field] };
    const recipe = parseRecipe(JSON.stringify(makeRecipe(fingerprintCheckpoint(fx.model), "llama", [edit], factorization)));
    const dir = join(out, `details-${factorization}`);
    await applyRecipe(fx.model, recipe, dir, { svd: fx.svd });
    const written = await loadModel(dir);
    try {
      expect(Buffer.from(written.readMatrix(PLANTED).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    } finally {
      written.dispose();
    }
    // The probe's in-memory application redoes the same weighted edit.
    const inMemory = await loadModel(fx.model);
    try {
      expect(applyRecipeInMemory(inMemory, recipe, fx.svd)).toEqual([PLANTED]);
      expect(Buffer.from(inMemory.readMatrix(PLANTED).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    } finally {
      inMemory.dispose();
    }
    const wrong = { ...recipe, edits: [{ ...recipe.edits[0]!, [field]: details[field]!.slice(1) }] };
    await expect(applyRecipe(fx.model, wrong, join(out, `wrong-${factorization}`), { svd: fx.svd })).rejects.toThrow(/scales for a matrix of/);
  });

  it("job specs validate factorization and clustering (the coordinator carries them into shards and recipes)", () => {
    expect(() => resolveSpec({ model: "m", dataset: "d", factorization: "nmf" })).toThrow(/must be one of svd, fwsvd, asvd/);
    expect(resolveSpec({ model: "m", dataset: "d", factorization: "fwsvd", clustering: "ksubspaces" })).toMatchObject({ factorization: "fwsvd", clustering: "ksubspaces" });
    expect(resolveSpec({ model: "m", dataset: "d", factorization: "svd", clustering: "blocks" }).factorization).toBeUndefined();
  });
});
