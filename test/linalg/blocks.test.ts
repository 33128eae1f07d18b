// Specification of the block-first factorization: row ranges, K = 1 as plain SVD, truncation and the keep rule.
import { describe, expect, it } from "vitest";
import { blockRanges, factorBlocks, keptRank, truncateBlocks } from "../../agent/linalg/blocks.ts";
import { frobeniusNorm, rowSlice } from "../../agent/linalg/matrix.ts";
import { randomMatrix, svdPaths } from "./helpers.ts";

describe("blockRanges", () => {
  it("splits rows not divisible by K into contiguous ranges whose sizes differ by at most one", () => {
    expect(blockRanges(10, 3)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 7 },
      { start: 7, end: 10 },
    ]);
    for (const [rows, k] of [
      [768, 8],
      [2304, 7],
      [5, 5],
      [13, 4],
    ]) {
      const r = blockRanges(rows, k);
      expect(r).toHaveLength(k);
      expect(r[0].start).toBe(0);
      expect(r[k - 1].end).toBe(rows);
      for (let b = 1; b < k; b++) expect(r[b].start).toBe(r[b - 1].end);
      const sizes = r.map((x) => x.end - x.start);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("rejects a block count that is not a positive integer or exceeds the rows", () => {
    expect(() => blockRanges(4, 0)).toThrow(/positive integer/);
    expect(() => blockRanges(4, 1.5)).toThrow(/positive integer/);
    expect(() => blockRanges(4, 5)).toThrow(/at most 4 blocks/);
  });
});

describe("keptRank (LASER's rule)", () => {
  it("keeps exactly 2 of 10 at ρ = 0.8 and 8 of 10 at ρ = 0.2 despite floating point", () => {
    expect(keptRank(10, 0.8)).toBe(2);
    expect(keptRank(10, 0.2)).toBe(8);
    expect(keptRank(768, 0.9)).toBe(76);
  });
  it("keeps 1% at ρ = 0.99, never fewer than one, everything at ρ = 0", () => {
    expect(keptRank(768, 0.99)).toBe(7);
    expect(keptRank(100, 0.99)).toBe(1);
    expect(keptRank(50, 0.995)).toBe(1);
    expect(keptRank(3, 0.9)).toBe(1);
    expect(keptRank(64, 0)).toBe(64);
  });
  it("rejects rates outside [0, 1)", () => {
    expect(() => keptRank(10, 1)).toThrow(/\[0, 1\)/);
    expect(() => keptRank(10, -0.1)).toThrow(/\[0, 1\)/);
  });
});

for (const { name, svd } of svdPaths) {
  describe.skipIf(!svd)(`factorBlocks and truncateBlocks on ${name}${svd ? "" : " (skipped: liblapacke.so.3 not loadable here)"}`, () => {
    const impl = svd!;
    const w = randomMatrix(50, 36, 3);

    it("with K = 1 equals the plain SVD of the whole matrix", () => {
      const f = factorBlocks(w, 1, impl);
      const plain = impl.decompose(w);
      expect(f.parts).toHaveLength(1);
      expect(f.parts[0].svd.s).toEqual(plain.s);
      expect(f.parts[0].svd.u.data).toEqual(plain.u.data);
      expect(f.parts[0].svd.vt.data).toEqual(plain.vt.data);
    });

    it("factors each of K blocks on its own rows", () => {
      const f = factorBlocks(w, 3, impl);
      expect(f.parts.map((p) => [p.start, p.end])).toEqual([
        [0, 17],
        [17, 34],
        [34, 50],
      ]);
      for (const p of f.parts) expect(p.svd.s).toEqual(impl.decompose(rowSlice(w, p.start, p.end)).s);
    });

    it("returns W (to float32 rounding) at ρ = 0, for every K", () => {
      for (const k of [1, 2, 4]) {
        const { weight, keptRanks } = truncateBlocks(factorBlocks(w, k, impl), 0);
        expect(keptRanks).toEqual(blockRanges(50, k).map(({ start, end }) => Math.min(end - start, 36)));
        for (let i = 0; i < weight.length; i++) expect(Math.abs(weight[i] - w.data[i])).toBeLessThan(1e-6);
      }
    });

    it("leaves per block exactly the error of the dropped singular values (Eckart–Young)", () => {
      const f = factorBlocks(w, 2, impl);
      const { weight, keptRanks } = truncateBlocks(f, 0.6);
      expect(keptRanks).toEqual([10, 10]);
      for (const p of f.parts) {
        const k = 10;
        const dropped = Math.sqrt(Array.from(p.svd.s.subarray(k)).reduce((a, s) => a + s * s, 0));
        const diff = new Float64Array((p.end - p.start) * w.cols);
        for (let i = 0; i < diff.length; i++) diff[i] = weight[p.start * w.cols + i] - w.data[p.start * w.cols + i];
        expect(Math.abs(frobeniusNorm(diff) - dropped) / dropped).toBeLessThan(1e-5);
      }
    });
  });
}
