// The evidence bench's pure analysis: per-run records, the across-seed summary and the score-sign comparison.
import { describe, expect, it } from "vitest";
import type { Candidate } from "../../common/shards.ts";
import type { SetMetrics } from "../../coordinator/plan/metrics.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import { summarize } from "../../bench/evidence/aggregate.ts";
import { recordsOf, shortMatrix, type TaskRuns } from "../../bench/evidence/records.ts";
import { firstOrderCheck, predictedChange, type SpectraDocument } from "../../bench/evidence/first-order.ts";
import { compareSigns, laserGains, spearman } from "../../bench/evidence/sign.ts";

const M = (layer: number, kind: string) => `model.layers.${layer}.self_attn.${kind}.weight`;
const set = (accuracy: number, loss = 1, n = 100): SetMetrics => ({ accuracy, loss, correct: Math.round(accuracy * n), n });

interface DocOptions {
  strategy: "c2i" | "laser";
  sign?: "negative" | "positive";
  seconds: number;
  baseline: number;
  chosen: Candidate | null;
  chosenAccuracy?: number;
  /** c2i: matrices in score order at K = 1 (and K = 2 reversed). */
  ranking?: string[];
  /** [matrix, rate, accuracy, loss = 1] per candidate at K = 1, of rank 3: ρ ≤ 0.4 keeps 2, higher rates keep 1. */
  evaluated?: [string, number, number, number?][];
}

/** The fields of a result.json the bench reads; the rest is irrelevant to it. */
function doc(o: DocOptions): ResultDocument {
  const ranking = o.ranking ?? [];
  const scores = [1, 2].flatMap((blocks) => (blocks === 1 ? ranking : [...ranking].reverse())
    .map((matrix, i) => ({ matrix, layer: 0, kind: "q", blocks, score: ranking.length - i, rank: i + 1 })));
  const candidates = (o.evaluated ?? []).map(([matrix, rate, accuracy, loss = 1]) =>
    ({ matrix, blocks: 1, rate, layer: 0, kind: "q", accuracy, loss, correct: 0, n: 100, stoppedEarly: false, keptRanks: [rate <= 0.4 ? 2 : 1] }));
  const after = o.chosenAccuracy ?? o.baseline;
  return {
    strategy: o.strategy, job: `${o.strategy}-${o.sign ?? ""}`, totalMs: o.seconds * 1000,
    settings: { topM: 2, scoreSign: o.sign ?? "negative" },
    sets: { selection: { name: o.strategy === "c2i" ? "adapt" : "validation", n: 100 }, test: { n: 400 } },
    baseline: { selection: set(o.baseline), test: set(o.baseline, 1, 400) },
    chosen: { edit: o.chosen !== null, candidate: o.chosen, selection: set(after), test: set(after, 1, 400) },
    scores, candidates,
  } as unknown as ResultDocument;
}

const [a, b, c] = [M(0, "q_proj"), M(1, "v_proj"), M(2, "k_proj")];
const laser = doc({
  strategy: "laser", seconds: 300, baseline: 0.5, chosen: { matrix: c, blocks: 1, rate: 0.9 }, chosenAccuracy: 0.6,
  evaluated: [[a, 0.1, 0.4], [a, 0.9, 0.45], [b, 0.1, 0.55], [c, 0.9, 0.6]],
});
const task: TaskRuns = {
  model: "m", mode: "choice", seed: 3, laser,
  c2i: {
    negative: doc({ strategy: "c2i", sign: "negative", seconds: 100, baseline: 0.5, chosen: null, ranking: [a, b, c], evaluated: [[a, 0.1, 0.5, 0.8], [a, 0.9, 0.4, 0.9], [b, 0.1, 0.45, 1.1]] }),
    positive: doc({
      strategy: "c2i", sign: "positive", seconds: 60, baseline: 0.5, chosen: { matrix: c, blocks: 1, rate: 0.9 }, chosenAccuracy: 0.55, ranking: [c, b, a],
      evaluated: [[c, 0.9, 0.55, 1.3], [b, 0.1, 0.45, 1.1]],
    }),
  },
  spectra: { loss: 1, scores: [] },
};
/** Each matrix's K = 1 spectrum, ascending, with its σ-gradients. */
const spectra: SpectraDocument = {
  loss: 1,
  scores: ([[a, [1, 0, 0]], [b, [-1, 0, 0]], [c, [0.5, -1, 2]]] as const).map(([matrix, grad]) => ({ matrix, blocks: 1, smallest: [{ block: 0, sigma: [1, 2, 3], grad: [...grad] }] })),
};

describe("evidence records", () => {
  it("gives LASER then c2i per sign, each c2i run with LASER's seconds over its own", () => {
    const rs = recordsOf(task);
    expect(rs.map((r) => [r.strategy, r.sign, r.speedup, r.candidates])).toEqual([["laser", null, null, 4], ["c2i", "negative", 3, 3], ["c2i", "positive", 5, 2]]);
    expect(rs[1]!.edit).toBeNull();
    expect(rs[2]!.chosen.test.accuracy).toBe(0.55);
  });

  it("shortens Llama matrix names to layer and projection", () => {
    expect(shortMatrix(M(4, "v_proj"))).toBe("L4.v_proj");
    expect(shortMatrix("model.layers.2.mlp.down_proj.weight")).toBe("L2.down_proj");
    expect(shortMatrix("lm_head.weight")).toBe("lm_head.weight");
  });
});

describe("evidence summary", () => {
  it("groups runs by mode, strategy and sign, with mean and range over seeds", () => {
    const other: TaskRuns = { ...task, seed: 4, c2i: { ...task.c2i, negative: doc({ strategy: "c2i", sign: "negative", seconds: 50, baseline: 0.5, chosen: { matrix: a, blocks: 2, rate: 0.4 }, chosenAccuracy: 0.54, ranking: [a, b, c] }) } };
    const groups = summarize([task, other].flatMap(recordsOf));
    expect(groups.map((g) => `${g.strategy}/${g.sign}/${g.seeds}`)).toEqual(["laser/—/2", "c2i/negative/2", "c2i/positive/2"]);
    const neg = groups[1]!;
    expect(neg.testGain.mean).toBeCloseTo(0.02);
    expect([neg.testGain.min, neg.testGain.max]).toEqual([0, expect.closeTo(0.04)]);
    expect(neg.edited).toBe(1);
    expect([...neg.edits]).toEqual([["L0.q_proj K=2 ρ=0.4", 1]]);
    expect(neg.speedup).toEqual({ mean: 4.5, min: 3, max: 6 });
    expect(groups[0]!.speedup).toBeNull();
  });
});

describe("score-sign comparison", () => {
  it("ranks LASER's pick in each sign's list and correlates the scores with LASER's per-matrix gains", () => {
    expect([...laserGains(laser)].map(([m, g]) => [m, +g.toFixed(2)])).toEqual([[a, -0.05], [b, 0.05], [c, 0.1]]);
    const r = compareSigns(task);
    expect(r.laserPick.matrix).toBe(c);
    expect(r.pickGain).toBeCloseTo(0.1);
    expect(r.helpful).toBe(2);
    expect(r.views.negative.rankK1).toBe(3);
    expect(r.views.negative.bestRank).toEqual({ rank: 1, blocks: 2 });
    expect(r.views.positive.rankK1).toBe(1);
    expect(r.views.negative.spearman).toBeCloseTo(-1);
    expect(r.views.positive.spearman).toBeCloseTo(1);
    expect(r.views.positive.topGain).toBeCloseTo(0.075);
    expect(r.sameEdit).toBe(false);
    expect([r.sharedPairs, r.pairs]).toEqual([1, 2]);
    expect(r.signsSpearman).toBeCloseTo(-1);
  });

  it("falls back to LASER's best candidate when it kept no edit", () => {
    const none = { ...laser, chosen: { ...laser.chosen, edit: false, candidate: null } } as ResultDocument;
    const r = compareSigns({ ...task, laser: none });
    expect(r.laserEdited).toBe(false);
    expect(r.laserPick).toEqual({ matrix: c, blocks: 1, rate: 0.9 });
  });

  it("computes Spearman's ρ with average ranks for ties", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBe(0);
    // ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4): ρ = 4.5 / √(4.5 · 5)
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5));
  });
});

describe("first-order check", () => {
  it("predicts −Σ σ·g over each block's dropped (smallest) directions", () => {
    const row = (rate: number, keptRanks: number[]) => ({ ...task.c2i.positive.candidates[0]!, rate, keptRanks });
    expect(predictedChange(spectra, row(0.1, [2]))).toBeCloseTo(-0.5);
    expect(predictedChange(spectra, row(0.9, [1]))).toBeCloseTo(1.5);
  });

  it("correlates predicted with measured loss changes over the candidates of both signs, counted once", () => {
    const r = firstOrderCheck(task, spectra, [task.c2i.negative, task.c2i.positive]);
    expect(r.candidates).toBe(4);
    // predicted (−1, −1, +1, +1.5) against measured (−0.2, −0.1, +0.1, +0.3)
    expect(r.all).toBeCloseTo(4.5 / Math.sqrt(22.5));
    expect([r.gentle, r.gentleSameSign, r.gentleCount]).toEqual([1, 2, 2]);
  });
});
