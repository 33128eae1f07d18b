// Specification of how a job's factorization (svd | fwsvd | asvd) and row clustering (blocks | ksubspaces) reach
// every shard, the calibration samples, the finalize shard's edit details, the recipe, and the wire.
import { describe, expect, it } from "vitest";
import { parseRecipe } from "../../common/recipe.ts";
import type { EditDetails, EvaluateShard, Shard, ShardResult } from "../../common/shards.ts";
import type { JobContext } from "../../coordinator/plan/context.ts";
import { phases } from "../../coordinator/plan/phases.ts";
import { buildResult, type ResultDocument } from "../../coordinator/plan/result.ts";
import { workRef } from "../../coordinator/plan/shards.ts";
import { resolveSpec, type JobSpecInput } from "../../coordinator/plan/spec.ts";
import { phasesFor } from "../../coordinator/plan/strategies.ts";
import * as convert from "../../proto/convert.ts";
import { loadAgentProto } from "../../proto/load.ts";
import { evaluateSim, matricesOf, type SimulatedModel } from "./fakes/simulated-pool.ts";

const model: SimulatedModel = { rows: 400, layers: 3, kinds: ["mlp_in", "mlp_out"], good: { matrix: "h.1.mlp_out.weight", blocks: 2, rate: 0.6 } };
const settings = { blockCounts: [1, 2], rates: [0.2, 0.6], topM: 2 };

/** What an agent would report for the edit: scales of the matrix's shape, K-subspaces settings resolved. */
function detailsFor(shard: EvaluateShard, matrix: string): EditDetails | undefined {
  const m = matricesOf(model).find((x) => x.name === matrix)!;
  const d: EditDetails = {};
  if (shard.ref.factorization === "fwsvd") d.rowScale = Array.from({ length: m.rows }, (_, i) => 1 + i / 7);
  if (shard.ref.factorization === "asvd") d.colScale = Array.from({ length: m.cols }, (_, j) => 0.5 + j / 3);
  if (shard.ref.clustering === "ksubspaces") d.kSubspaces = { rank: 2, maxIterations: 10, init: "blocks", seed: 0 };
  return Object.keys(d).length > 0 ? d : undefined;
}

function agent(shard: Shard, reportDetails: boolean): ShardResult {
  switch (shard.kind) {
    case "prepare":
      return { kind: "prepare", shardId: shard.shardId, rows: model.rows, protocol: "generative", candidates: matricesOf(model), modelFingerprint: "ab".repeat(32), modelType: "sim", timings: {} };
    case "score":
      return {
        kind: "score", shardId: shard.shardId, loss: 0.5, timings: {},
        // One positive σ-gradient per matrix (the default sign sums them); the good matrix's is the largest.
        scores: shard.matrices.flatMap((matrix) => shard.blockCounts.map((blocks) => ({ matrix, blocks, score: 0, smallest: [{ block: 0, sigma: [0.5], grad: [matrix === model.good!.matrix ? 10 : blocks] }] }))),
      };
    case "evaluate":
      return {
        kind: "evaluate", shardId: shard.shardId, timings: {},
        evaluations: shard.candidates.map((c) => {
          const e = evaluateSim(model, c, shard.samples.indices);
          const details = c && shard.describeEdits && reportDetails ? detailsFor(shard, c.matrix) : undefined;
          return details ? { ...e, details } : e;
        }),
      };
  }
}

/** Every phase of the plan run in order against the simulated agent; returns the shards it sent and the result. */
function runPlan(input: Omit<JobSpecInput, "model" | "dataset">, reportDetails = true): { shards: Shard[]; ctx: JobContext; doc: ResultDocument } {
  const spec = resolveSpec({ model: "m", dataset: "d", settings, ...input });
  let ctx: JobContext = { jobId: "j", spec };
  const shards: Shard[] = [];
  for (const name of phasesFor(spec.settings)) {
    const list = phases[name].shards(ctx);
    shards.push(...list);
    ctx = phases[name].merge(ctx, list.map((s) => agent(s, reportDetails)));
  }
  return { shards, ctx, doc: buildResult(ctx, { phases: [], totalMs: 0, agents: [], versions: {} }) };
}

describe("job specs with a factorization and a clustering", () => {
  it("accept fwsvd, asvd and ksubspaces, keep only non-defaults, and resolve to themselves from the store", () => {
    const spec = resolveSpec({ model: "m", dataset: "d", factorization: "asvd", clustering: "ksubspaces" });
    expect(spec).toMatchObject({ factorization: "asvd", clustering: "ksubspaces" });
    expect(resolveSpec(JSON.parse(JSON.stringify(spec)))).toEqual(JSON.parse(JSON.stringify(spec)));
    const plain = resolveSpec({ model: "m", dataset: "d", factorization: "svd", clustering: "blocks" });
    expect("factorization" in plain || "clustering" in plain).toBe(false);
    expect(() => resolveSpec({ model: "m", dataset: "d", clustering: "kmeans" })).toThrow(/clustering must be one of blocks, ksubspaces/);
  });
});

describe("workRef", () => {
  const calibration = { name: "adapt", indices: [3, 1, 4] };
  it("copies the factorization and clustering, and attaches calibration only for the weighted factorizations", () => {
    const base = { jobId: "j", model: "m", dataset: "d", batching: { batchSize: 16, chunkSize: 32 } };
    expect(workRef("j", resolveSpec({ model: "m", dataset: "d", clustering: "ksubspaces" }), calibration)).toEqual({ ...base, clustering: "ksubspaces" });
    expect(workRef("j", resolveSpec({ model: "m", dataset: "d", factorization: "fwsvd" }), calibration)).toEqual({ ...base, factorization: "fwsvd", calibration });
    expect(workRef("j", resolveSpec({ model: "m", dataset: "d" }), calibration)).toEqual(base);
  });
});

describe("the phases of a weighted or clustered job", () => {
  it("asvd: every baseline, score, evaluate and finalize shard calibrates on the adaptation set", () => {
    const { shards, ctx } = runPlan({ factorization: "asvd" });
    const adapt = ctx.sets!.adapt!;
    const work = shards.filter((s) => s.kind !== "prepare");
    expect(new Set(work.map((s) => s.shardId.split("/")[1]))).toEqual(new Set(["baseline", "score", "evaluate", "finalize"]));
    for (const s of work) expect(s.ref, s.shardId).toMatchObject({ factorization: "asvd", calibration: adapt });
    expect(adapt.indices).toHaveLength(100);
  });

  it("laser's exhaustive search calibrates on the seeded adaptation subset of the validation split, not on the validation rows", () => {
    const { shards, ctx } = runPlan({ strategy: "laser", factorization: "fwsvd" });
    const evaluate = shards.filter((s) => s.shardId.startsWith("j/evaluate/"));
    expect(evaluate.length).toBeGreaterThan(0);
    for (const s of evaluate) expect(s.ref.calibration).toEqual(ctx.sets!.adapt);
    expect(ctx.sets!.adapt!.indices.every((i) => ctx.sets!.selection.indices.includes(i))).toBe(true);
  });

  it("ksubspaces with plain SVD carries the clustering but needs no calibration samples", () => {
    const { shards } = runPlan({ clustering: "ksubspaces" });
    for (const s of shards) expect(s.ref.clustering).toBe("ksubspaces");
    expect(shards.some((s) => s.ref.calibration !== undefined)).toBe(false);
  });

  it("only the first finalize shard asks for the edit's details, and only when the recipe needs them", () => {
    const weighted = runPlan({ factorization: "fwsvd", settings: { ...settings, sampleShardSize: 128 } }).shards.filter((s) => s.shardId.startsWith("j/finalize/")) as EvaluateShard[];
    expect(weighted.length).toBeGreaterThan(1);
    expect(weighted.map((s) => s.describeEdits === true)).toEqual(weighted.map((_, i) => i === 0));
    const plain = runPlan({}).shards.filter((s) => s.kind === "evaluate") as EvaluateShard[];
    expect(plain.some((s) => s.describeEdits !== undefined || s.ref.factorization !== undefined || s.ref.calibration !== undefined)).toBe(false);
  });

  it("fails the job when the agent does not report the details a recipe needs (an older agent), instead of writing a wrong recipe", () => {
    expect(() => runPlan({ factorization: "asvd" }, false)).toThrow(/did not report the chosen edit's details/);
  });
});

describe("the recipe of a weighted or clustered job", () => {
  it("records the clustering with its K-subspaces settings", () => {
    const { doc } = runPlan({ clustering: "ksubspaces" });
    expect(doc.chosen.candidate).toMatchObject({ matrix: model.good!.matrix });
    expect(doc.recipe.factorization).toBe("svd");
    expect(doc.recipe.edits).toEqual([{ ...doc.chosen.candidate, keptRanks: doc.chosen.keptRanks, clustering: "ksubspaces", kSubspaces: { rank: 2, maxIterations: 10, init: "blocks", seed: 0 } }]);
    expect(parseRecipe(JSON.stringify(doc.recipe))).toEqual(doc.recipe);
  });

  it.each([
    ["fwsvd", "rowScale", 16],
    ["asvd", "colScale", 8],
  ] as const)("%s: records the factorization and the edit's %s (one per %s), and survives parseRecipe", (factorization, field, length) => {
    const { doc } = runPlan({ factorization });
    expect(doc.recipe.factorization).toBe(factorization);
    const [edit] = doc.recipe.edits;
    expect(edit).toMatchObject({ clustering: "blocks" });
    expect(edit![field]).toHaveLength(length);
    expect(edit![field === "rowScale" ? "colScale" : "rowScale"]).toBeUndefined();
    expect(parseRecipe(JSON.stringify(doc.recipe))).toEqual(doc.recipe);
  });

  it("the default job's recipe is unchanged: plain SVD, contiguous blocks, nothing more", () => {
    const { doc } = runPlan({});
    expect(doc.recipe.factorization).toBe("svd");
    expect(doc.recipe.edits).toEqual([{ ...doc.chosen.candidate, keptRanks: doc.chosen.keptRanks, clustering: "blocks" }]);
  });
});

describe("the wire", () => {
  const service = loadAgentProto().c2i.v1.AgentService.service;
  it("carries clustering, calibration, describeEdits and the edit details unchanged (exact float64 scales)", () => {
    const shard: EvaluateShard = {
      kind: "evaluate", shardId: "j/finalize/0", samples: { name: "test", indices: [5, 6] }, candidates: [{ matrix: "w", blocks: 2, rate: 0.6 }], describeEdits: true,
      ref: { jobId: "j", model: "m", dataset: "d", factorization: "asvd", clustering: "ksubspaces", calibration: { name: "adapt", indices: [0, 2, 9] } },
    };
    const req = service.Evaluate;
    expect(convert.evaluateShardFromWire(req.requestDeserialize(req.requestSerialize(convert.evaluateShardToWire(shard)) ) as never)).toEqual(shard);
    const result = {
      kind: "evaluate" as const, shardId: "j/finalize/0", timings: {},
      evaluations: [{ candidate: { matrix: "w", blocks: 2, rate: 0.6 }, accuracy: 1, loss: 0.1, n: 2, correct: 2, keptRanks: [1, 1],
        details: { colScale: [Math.PI, 1 / 3, 1e-7], kSubspaces: { rank: 2, maxIterations: 10, init: "blocks" as const, seed: 0 } } }],
    };
    expect(convert.evaluateResultFromWire(req.responseDeserialize(req.responseSerialize(convert.evaluateResultToWire(result))) as never)).toEqual(result);
  });
});
