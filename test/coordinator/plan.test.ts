// Specification of the pure planner: settings, sets, candidates, ranking, selection, merging, shard ids.
import { describe, expect, it } from "vitest";
import { exhaustiveCandidates, filterMatrices, gradientCandidates, keptRanks, rankScores, signedScore } from "../../coordinator/plan/candidates.ts";
import { mergeEvaluations } from "../../coordinator/plan/metrics.ts";
import { numericsWarnings } from "../../coordinator/plan/result.ts";
import { evaluateGroups, phases } from "../../coordinator/plan/phases.ts";
import { selectBest } from "../../coordinator/plan/select.ts";
import { planSets } from "../../coordinator/plan/sets.ts";
import { defaultSettings, resolveSettings } from "../../coordinator/plan/settings.ts";
import { chunk, shardId, splitSelection } from "../../coordinator/plan/shards.ts";
import { parseSpecJson, resolveSpec } from "../../coordinator/plan/spec.ts";
import { phasesFor } from "../../coordinator/plan/strategies.ts";
import { ExactSum } from "../../common/exact-sum.ts";
import type { Evaluation, MatrixScore } from "../../common/shards.ts";
import { matricesOf } from "./fakes/simulated-pool.ts";

const order = (names: string[]) => new Map(names.map((n, i) => [n, i]));
const ev = (matrix: string, blocks: number, rate: number, accuracy: number, loss: number, extra: Partial<Evaluation> = {}): Evaluation =>
  ({ candidate: { matrix, blocks, rate }, accuracy, loss, n: 100, correct: Math.round(accuracy * 100), ...extra });

describe("settings and specs", () => {
  it("defaults follow METHOD.md", () => {
    const s = resolveSettings();
    expect(s).toMatchObject({ adaptSize: 100, blockCounts: [1, 2, 4, 8], smallest: 20, topM: 5, validationFraction: 0.2, preselect: "gradient", selection: "adapt" });
    expect(s.rates).toEqual([0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 0.995]);
  });

  it("the laser strategy searches every matrix at K = 1 on the validation split, and user settings still override", () => {
    const spec = resolveSpec({ model: "m", dataset: "d", strategy: "laser", settings: { rates: [0.9, 0.5, 0.9] } });
    expect(spec.settings).toMatchObject({ preselect: "exhaustive", selection: "validation", blockCounts: [1], rates: [0.5, 0.9] });
    expect(phasesFor(spec.settings)).toEqual(["prepare", "baseline", "evaluate", "finalize"]);
    expect(phasesFor(resolveSpec({ model: "m", dataset: "d" }).settings)).toEqual(["prepare", "baseline", "score", "evaluate", "finalize"]);
  });

  it("rejects invalid settings with a message naming the field", () => {
    expect(() => resolveSettings({ rates: [1] })).toThrow(/rates/);
    expect(() => resolveSettings({ blockCounts: [0] })).toThrow(/blockCounts\[0\]/);
    expect(() => resolveSettings({ validationFraction: 1 })).toThrow(/validationFraction/);
    expect(() => resolveSettings({ sampleShardSize: 30 })).toThrow(/sampleShardSize must be a multiple of chunkSize \(32\)/);
    expect(() => resolveSettings({ sampleShardSize: 30, chunkSize: 10 })).not.toThrow();
    expect(() => resolveSettings({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => resolveSpec({ model: "", dataset: "d" })).toThrow(/model/);
    expect(() => resolveSpec({ model: "m", dataset: "d", strategy: "nope" })).toThrow(/unknown strategy "nope"/);
    const deep = JSON.parse("[".repeat(100_000) + "]".repeat(100_000)) as never;
    expect(() => resolveSettings({ seed: deep })).toThrow(/seed must be an integer ≥ 0, got \[\[\[/);
    expect(() => resolveSpec({ model: deep, dataset: "d" })).toThrow(/model must be a non-empty string, got \[\[\[/);
  });

  it("refuses hostile spec values with INVALID_ARGUMENT: prototype strategy names, non-object settings and tasks, unknown or mistyped fields, unsafe integers", () => {
    const refused: [string, unknown, RegExp][] = [
      ["strategy constructor", { model: "m", dataset: "d", strategy: "constructor" }, /unknown strategy "constructor"/],
      ["strategy __proto__", { model: "m", dataset: "d", strategy: "__proto__" }, /unknown strategy "__proto__"/],
      ["strategy as a list", { model: "m", dataset: "d", strategy: ["c2i"] }, /unknown strategy \["c2i"\]/],
      ["settings as text", { model: "m", dataset: "d", settings: "hasOwnProperty" }, /settings must be an object/],
      ["settings as a list", { model: "m", dataset: "d", settings: [{ seed: 1 }] }, /settings must be an object/],
      ["a misspelt setting", { model: "m", dataset: "d", settings: { adaptsize: 50 } }, /settings\.adaptsize must be one of the known settings/],
      ["an unsafe integer", { model: "m", dataset: "d", settings: { seed: 2 ** 53 + 2 } }, /seed must be an integer/],
      ["task as a number", { model: "m", dataset: "d", task: 65536 }, /task must be an object/],
      ["a template that is not text", { model: "m", dataset: "d", task: { template: 5 } }, /task\.template must be a string/],
      ["lengthNormalise as text", { model: "m", dataset: "d", task: { lengthNormalise: "true" } }, /task\.lengthNormalise must be true or false/],
      ["maxTokens below 2", { model: "m", dataset: "d", task: { maxTokens: 1 } }, /task\.maxTokens must be an integer ≥ 2/],
      ["an unknown task option", { model: "m", dataset: "d", task: { toString: {} } }, /task\.toString must be one of template, lengthNormalise, maxTokens/],
      ["a list", [{ model: "m", dataset: "d" }], /must be an object/],
    ];
    for (const [name, input, message] of refused) {
      expect(() => resolveSpec(input as never), name).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(message) }));
    }
    expect(resolveSpec({ model: "m", dataset: "d", task: { template: "{x}", lengthNormalise: true, maxTokens: 64 } }).task).toEqual({ template: "{x}", lengthNormalise: true, maxTokens: 64 });
    for (const text of ["{", "[]", "null", '"spec"']) expect(() => parseSpecJson(text)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("not a JSON object") }));
  });

  it("a resolved spec resolves to itself (the stored spec replans the same job)", () => {
    const spec = resolveSpec({ model: "m", dataset: "d", strategy: "grads-std-eval", settings: { seed: 7, layers: [3, 1] } });
    expect(resolveSpec(JSON.parse(JSON.stringify(spec)))).toEqual(JSON.parse(JSON.stringify(spec)));
  });
});

describe("sample sets", () => {
  it("c2i: a seeded 100-sample adaptation set disjoint from the test set", () => {
    const sets = planSets(500, defaultSettings);
    expect(sets.selection.indices).toHaveLength(100);
    expect(sets.test.indices).toHaveLength(400);
    const seen = new Set(sets.selection.indices);
    expect(sets.test.indices.some((i) => seen.has(i))).toBe(false);
    expect(planSets(500, { ...defaultSettings, seed: 1 }).selection.indices).not.toEqual(sets.selection.indices);
  });

  it("laser: the first 20% of rows unshuffled are the validation split, the rest the test split", () => {
    const sets = planSets(1000, resolveSpec({ model: "m", dataset: "d", strategy: "laser" }).settings);
    expect(sets.selection.indices).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(sets.test.indices[0]).toBe(200);
    expect(sets.test.indices).toHaveLength(800);
    expect(sets.adapt!.indices.every((i) => i < 200)).toBe(true);
  });
});

describe("candidates", () => {
  const scores: MatrixScore[] = [
    { matrix: "a", blocks: 1, score: 1, smallest: [] },
    { matrix: "b", blocks: 1, score: 3, smallest: [] },
    { matrix: "c", blocks: 1, score: 3, smallest: [] },
    { matrix: "a", blocks: 2, score: 9, smallest: [] },
    { matrix: "b", blocks: 2, score: 0, smallest: [] },
    { matrix: "c", blocks: 2, score: 5, smallest: [] },
  ];

  it("ranks per block count by score, equal scores in model order, whatever the input order", () => {
    const ranked = rankScores([...scores].reverse(), order(["a", "b", "c"]));
    expect(ranked.map((s) => `${s.blocks}:${s.matrix}:${s.rank}`)).toEqual(["1:b:1", "1:c:2", "1:a:3", "2:a:1", "2:c:2", "2:b:3"]);
  });

  it("takes the top m per K × every rate (Algorithm 1 step 4)", () => {
    const ranked = rankScores(scores, order(["a", "b", "c"]));
    const c = gradientCandidates(ranked, { blockCounts: [1, 2], topM: 2, rates: [0.5, 0.9] });
    expect(c.map((x) => `${x.blocks}:${x.matrix}:${x.rate}`)).toEqual(["1:b:0.5", "1:b:0.9", "1:c:0.5", "1:c:0.9", "2:a:0.5", "2:a:0.9", "2:c:0.5", "2:c:0.9"]);
  });

  it("scores the positive σ-gradients by default (METHOD.md) and the negative ones with scoreSign negative (the ablation)", () => {
    const spectra: MatrixScore[] = [
      // a: large negative g (harmful under the literal reading); b: large positive g (shrinking lowers the loss).
      { matrix: "a", blocks: 2, score: 5, smallest: [{ block: 0, sigma: [0.1, 0.2], grad: [-3, 1] }, { block: 1, sigma: [0.1], grad: [-2] }] },
      { matrix: "b", blocks: 2, score: 0.5, smallest: [{ block: 0, sigma: [0.1, 0.2], grad: [4, -0.5] }, { block: 1, sigma: [0.3], grad: [2.5] }] },
    ];
    expect(signedScore(spectra[0]!, "negative")).toBe(spectra[0]);
    expect(signedScore(spectra[0]!, "positive").score).toBe(1);
    expect(signedScore(spectra[1]!, "positive").score).toBe(6.5);
    const rank = (sign: "negative" | "positive") => rankScores(spectra.map((m) => signedScore(m, sign)), order(["a", "b"])).map((r) => r.matrix);
    expect(rank("negative")).toEqual(["a", "b"]);
    expect(rank("positive")).toEqual(["b", "a"]);
    expect(resolveSettings({}).scoreSign).toBe("positive");
    expect(() => resolveSettings({ scoreSign: "both" as never })).toThrow(/scoreSign must be one of negative, positive/);
  });

  it("LASER is exhaustive over the filtered matrices", () => {
    const all = matricesOf({ rows: 10, layers: 3, kinds: ["q", "mlp_in"] });
    const kept = filterMatrices(all, { layers: [1, 2], kinds: ["mlp_in"] });
    expect(kept.map((m) => m.name)).toEqual(["h.1.mlp_in.weight", "h.2.mlp_in.weight"]);
    expect(exhaustiveCandidates(kept, { blockCounts: [1], rates: [0.1, 0.2, 0.4] })).toHaveLength(6);
  });

  it("keeps max(1, ⌊(1 − ρ)·r_b + 1e-9⌋) per block", () => {
    expect(keptRanks(10, 20, 1, 0.8)).toEqual([2]);
    expect(keptRanks(10, 20, 4, 0.5)).toEqual([1, 1, 1, 1]);
    expect(keptRanks(100, 40, 2, 0.995)).toEqual([1, 1]);
    expect(keptRanks(9, 9, 2, 0.5)).toEqual([2, 2]);
  });
});

describe("selection", () => {
  const base = { accuracy: 0.5, loss: 1, correct: 50, n: 100 };
  const mo = order(["x", "y"]);

  it("picks accuracy first, then the lower loss", () => {
    const pick = selectBest([ev("x", 1, 0.5, 0.6, 0.9), ev("y", 1, 0.5, 0.7, 2), ev("y", 2, 0.5, 0.7, 1.5)], base, mo);
    expect(pick.best!.candidate).toEqual({ matrix: "y", blocks: 2, rate: 0.5 });
    expect(pick.edit).toBe(true);
  });

  it("breaks exact ties by fewer blocks, then the gentler rate, then model order — independent of input order", () => {
    const tied = [ev("y", 1, 0.2, 0.6, 1), ev("x", 2, 0.1, 0.6, 1), ev("x", 1, 0.2, 0.6, 1), ev("y", 1, 0.1, 0.6, 1)];
    expect(selectBest(tied, base, mo).best!.candidate).toEqual({ matrix: "y", blocks: 1, rate: 0.1 });
    expect(selectBest([...tied].reverse(), base, mo).best!.candidate).toEqual({ matrix: "y", blocks: 1, rate: 0.1 });
  });

  it("answers \"no edit\" when nothing beats the unmodified model, including an exact tie", () => {
    expect(selectBest([ev("x", 1, 0.5, 0.5, 1)], base, mo).edit).toBe(false);
    expect(selectBest([ev("x", 1, 0.5, 0.4, 0.1)], base, mo).edit).toBe(false);
    expect(selectBest([ev("x", 1, 0.5, 0.5, 0.99)], base, mo).edit).toBe(true);
    expect(selectBest([], base, mo)).toEqual({ edit: false });
  });

  it("never picks a candidate whose evaluation stopped early", () => {
    const pick = selectBest([ev("x", 1, 0.5, 0.9, 0.1, { stoppedEarly: true }), ev("y", 1, 0.5, 0.6, 1)], base, mo);
    expect(pick.best!.candidate.matrix).toBe("y");
  });
});

describe("merge and shards", () => {
  it("merges sample shards into counts and a sample-weighted mean loss", () => {
    const m = mergeEvaluations([{ candidate: null, accuracy: 0.5, loss: 2, n: 4, correct: 2 }, { candidate: null, accuracy: 1, loss: 1, n: 1, correct: 1 }], "t");
    expect(m).toEqual({ accuracy: 0.6, loss: 9 / 5, correct: 3, n: 5 });
    expect(() => mergeEvaluations([], "t")).toThrow(/no shard results/);
  });

  it("merges the shards' exact loss partials, so the set's loss does not depend on where it was cut", () => {
    // Cut after the 1st or the 3rd loss, merging mean × count (what the merge did before) is off in the last bit.
    const losses = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
    const shard = (xs: number[]): Evaluation => {
      const sum = new ExactSum(xs);
      return { candidate: null, accuracy: 0, loss: sum.value() / xs.length, n: xs.length, correct: 0, lossParts: sum.parts() };
    };
    const whole = mergeEvaluations([shard(losses)], "t").loss;
    for (let cut = 1; cut < losses.length; cut++) {
      expect(mergeEvaluations([shard(losses.slice(0, cut)), shard(losses.slice(cut))], "t").loss).toBe(whole);
    }
    expect(whole).toBe(new ExactSum(losses).value() / losses.length);
  });

  it("warns when a job's agents compute with different numerics (backend, OpenBLAS kernel or SVD), and only then", () => {
    const agent = (id: string, backend: string, svd = "lapack-dgesdd") => ({ id, address: `${id}:1`, backend, svd });
    expect(numericsWarnings([agent("a", "wasm+blas(Haswell)"), agent("b", "wasm+blas(Haswell)")])).toEqual([]);
    const [w] = numericsWarnings([agent("a", "wasm+blas(Haswell)"), agent("b", "wasm+blas(Cooperlake)"), agent("c", "wasm+blas(Haswell)", "typescript")]);
    expect(w).toContain("wasm+blas(Haswell), SVD lapack-dgesdd on a; wasm+blas(Cooperlake), SVD lapack-dgesdd on b; wasm+blas(Haswell), SVD typescript on c");
  });

  it("names shards by job, phase and index, and splits sets into named parts", () => {
    expect(shardId("j", "score", 3)).toBe("j/score/3");
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(splitSelection({ name: "test", indices: [1, 2, 3] }, 2)).toEqual([{ name: "test@0", indices: [1, 2] }, { name: "test@1", indices: [3] }]);
    expect(splitSelection({ name: "test", indices: [1, 2] }, 2)).toEqual([{ name: "test", indices: [1, 2] }]);
  });

  it("gives each evaluate shard one factorization (matrix, K), its rates chunked", () => {
    const cands = exhaustiveCandidates(matricesOf({ rows: 10, layers: 1, kinds: ["q", "o"] }), { blockCounts: [1, 2], rates: [0.1, 0.5, 0.9] });
    const shards = evaluateGroups(cands, 2).map((g) => g.map((c) => `${c.matrix}/${c.blocks}/${c.rate}`));
    expect(shards).toEqual([
      ["h.0.q.weight/1/0.1", "h.0.q.weight/1/0.5"], ["h.0.q.weight/1/0.9"],
      ["h.0.o.weight/1/0.1", "h.0.o.weight/1/0.5"], ["h.0.o.weight/1/0.9"],
      ["h.0.q.weight/2/0.1", "h.0.q.weight/2/0.5"], ["h.0.q.weight/2/0.9"],
      ["h.0.o.weight/2/0.1", "h.0.o.weight/2/0.5"], ["h.0.o.weight/2/0.9"],
    ]);
  });

  it("replanning a phase from the same context gives the same shards", () => {
    const spec = resolveSpec({ model: "m", dataset: "d" });
    const prepared = { kind: "prepare" as const, shardId: "j/prepare/0", rows: 700, protocol: "generative", candidates: matricesOf({ rows: 700, layers: 2, kinds: ["q", "o"] }), modelFingerprint: "ab", modelType: "sim", timings: {} };
    const ctx = phases.prepare.merge({ jobId: "j", spec }, [prepared]);
    expect(phases.baseline.shards(ctx)).toEqual(phases.baseline.shards(phases.prepare.merge({ jobId: "j", spec }, [prepared])));
    const shards = phases.baseline.shards(ctx);
    expect(shards.map((s) => s.shardId)).toEqual(["j/baseline/0", "j/baseline/1", "j/baseline/2", "j/baseline/3"]);
    // Every agent cuts the job's sets the same way: the job's batching travels with each shard.
    for (const s of [...shards, ...phases.score.shards(ctx)]) expect(s.ref.batching).toEqual({ batchSize: 16, chunkSize: 32 });
    expect(phases.score.shards(ctx).map((s) => (s.kind === "score" ? s.matrices.length : 0))).toEqual([4]);
  });
});
