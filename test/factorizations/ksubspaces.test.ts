// K-subspaces: the objective never increases, separated subspaces are recovered, and the grouping feeds the factorization.
import { describe, expect, it } from "vitest";
import { factorBlocks, truncateBlocks } from "../../agent/linalg/blocks.ts";
import { blocksGrouping, factorMatrix, kSubspaces, truncateFactored } from "../../agent/linalg/factorizations/mod.ts";
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { orthonormalColumns, randomMatrix, rng } from "../linalg/helpers.ts";

const svd = new TypeScriptSvd();

/** Rows drawn from `parts` random rank-`k` subspaces of ℝ^cols, part p filling the rows blocksGrouping gives it. */
function separatedRows(rows: number, cols: number, parts: number, k: number, noise: number, seed: number): Matrix {
  const g = blocksGrouping(rows, parts);
  const data = new Float64Array(rows * cols);
  const r = rng(seed);
  for (let p = 0; p < parts; p++) {
    const basis = orthonormalColumns(cols, k, seed * 31 + p); // cols×k
    for (let i = g.ranges[p]!.start; i < g.ranges[p]!.end; i++) {
      const coef = Array.from({ length: k }, () => 2 * r());
      for (let j = 0; j < cols; j++) {
        let v = noise * r();
        for (let q = 0; q < k; q++) v += coef[q]! * basis.data[j * k + q]!;
        data[i * cols + j] = v;
      }
    }
  }
  return { rows, cols, data };
}

function shuffledRows(m: Matrix, seed: number): { m: Matrix; perm: number[] } {
  const r = rng(seed);
  const perm = Array.from({ length: m.rows }, (_, i) => i);
  for (let i = perm.length - 1; i > 0; i--) {
    const j = Math.floor((r() + 0.5) * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const data = new Float64Array(m.data.length);
  perm.forEach((src, dst) => data.set(m.data.subarray(src * m.cols, (src + 1) * m.cols), dst * m.cols));
  return { m: { rows: m.rows, cols: m.cols, data }, perm };
}

describe("K-subspaces row clustering", () => {
  it("never increases its objective across iterations (random data, seeded and block starts)", () => {
    for (const seed of [1, 2, 3]) {
      const a = randomMatrix(40, 10, seed);
      for (const init of ["seeded", "blocks"] as const) {
        const res = kSubspaces(a, svd, { parts: 4, rank: 2, maxIterations: 12, init, seed });
        expect(res.objective.length).toBe(res.iterations);
        for (let t = 1; t < res.objective.length; t++) expect(res.objective[t]!).toBeLessThanOrEqual(res.objective[t - 1]! * (1 + 1e-12));
        expect(new Set(res.assignment).size).toBe(4);
      }
    }
  });

  it("keeps contiguous blocks when the rows are pre-sorted into well-separated subspaces", () => {
    const a = separatedRows(30, 12, 3, 2, 1e-3, 5);
    const res = kSubspaces(a, svd, { parts: 3, rank: 2 });
    expect([...res.assignment]).toEqual([...blocksGrouping(30, 3).assignment]);
    expect(res.converged).toBe(true);
    expect(res.iterations).toBe(1);
    const ks = truncateFactored(factorMatrix(a, svd, { blocks: 3, clustering: "ksubspaces", kSubspaces: { rank: 2 } }), 0.5);
    const blocks = truncateBlocks(factorBlocks(a, 3, svd), 0.5);
    expect(Buffer.from(ks.weight.buffer).equals(Buffer.from(blocks.weight.buffer))).toBe(true);
  });

  it("recovers the subspaces of shuffled rows from a seeded start, and truncates each row within its own subspace", () => {
    const sorted = separatedRows(36, 12, 3, 2, 1e-3, 9);
    const { m: a, perm } = shuffledRows(sorted, 4);
    const truth = blocksGrouping(36, 3).assignment;
    const res = kSubspaces(a, svd, { parts: 3, rank: 2, init: "seeded", seed: 1, maxIterations: 20 });
    // same partition as the truth, up to the names of the parts
    const pairs = new Set(perm.map((src, dst) => `${truth[src]}>${res.assignment[dst]}`));
    expect(pairs.size).toBe(3);
    expect(res.objective.at(-1)!).toBeLessThan(36 * 12 * 1e-6);
    const f = factorMatrix(a, svd, { blocks: 3, assignment: res.assignment });
    const w = truncateFactored(f, 0.8).weight; // keeps 2 of each part's 12 directions
    let err = 0;
    for (let i = 0; i < a.data.length; i++) err = Math.max(err, Math.abs(w[i]! - a.data[i]!));
    expect(err).toBeLessThan(1e-2);
    const plain = truncateBlocks(factorBlocks(a, 3, svd), 0.8).weight;
    let plainErr = 0;
    for (let i = 0; i < a.data.length; i++) plainErr = Math.max(plainErr, Math.abs(plain[i]! - a.data[i]!));
    expect(plainErr).toBeGreaterThan(10 * err);
  });

  it("is deterministic for a seed and rejects impossible part counts", () => {
    const a = randomMatrix(20, 6, 4);
    const x = kSubspaces(a, svd, { parts: 3, init: "seeded", seed: 7 });
    const y = kSubspaces(a, svd, { parts: 3, init: "seeded", seed: 7 });
    expect([...x.assignment]).toEqual([...y.assignment]);
    expect(x.objective).toEqual(y.objective);
    expect(() => kSubspaces(a, svd, { parts: 21 })).toThrow(/21 parts for 20 rows/);
  });
});
