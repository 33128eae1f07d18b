// factorMatrix with partSvd = SmallestSvd: the same σ-gradients, scores and projections as full dgesdd factors; truncation refused.
import { describe, expect, it } from "vitest";
import { scoreMatrix } from "../../agent/linalg/blocks.ts";
import {
  accumulateInputs,
  asvdTransform,
  emptyInputStatistics,
  type FactoredMatrix,
  type FactorOptions,
  factorMatrix,
  factoredSigmaGradients,
  truncateFactored,
} from "../../agent/linalg/factorizations/mod.ts";
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { type Gemm, SigmaProjection, sigmaProbes } from "../../agent/linalg/sigma-projection.ts";
import { loadSmallestSvd } from "../../agent/linalg/svd/smallest.ts";
import { truncateBlocks } from "../../agent/linalg/truncate.ts";
import { lapack, randomMatrix, referenceGemm, rng } from "./helpers.ts";
import { clusters, expectTrailing, smallestSvd } from "./smallest-checks.ts";


function cases(m: number, n: number): { name: string; options: FactorOptions }[] {
  const stats = emptyInputStatistics(n, true);
  const r = rng(21);
  accumulateInputs(stats, Float32Array.from({ length: 160 * n }, (_, i) => r() * (1 + 9 * (((i % n) * 7) % 5 === 0 ? 1 : 0))), 160);
  const rowScale = Float64Array.from({ length: m }, (_, i) => 0.3 + 0.7 * (i % 5));
  return [
    ...[1, 2, 4, 8].map((blocks) => ({ name: `plain SVD, K = ${blocks}`, options: { blocks } })),
    { name: "FWSVD row scale, K = 2", options: { blocks: 2, transform: { rowScale } } },
    { name: "ASVD column scale, K = 2", options: { blocks: 2, transform: asvdTransform(stats) } },
    { name: "ASVD Cholesky column factor, K = 3", options: { blocks: 3, transform: asvdTransform(stats, { method: "cholesky" }) } },
    { name: "K-subspaces grouping, K = 3", options: { blocks: 3, clustering: "ksubspaces" } },
  ];
}

/**
 * Per part, the trailing σ-gradients of `part` (length k) against the same entries of `full` (length q, NaN before):
 * summed over clusters of equal σ (sign- and rotation-invariant), within `tolerance` of the part's largest |g|.
 */
function expectSameGradients(full: FactoredMatrix, part: FactoredMatrix, gFull: Float64Array[], gPart: Float64Array[], tolerance: number): void {
  full.factors.parts.forEach(({ svd }, b) => {
    const q = svd.s.length;
    const k = gPart[b]!.length;
    expect(gFull[b]!.length).toBe(q);
    const ref = gFull[b]!.subarray(q - k);
    const scale = Math.max(...ref.map(Math.abs));
    // A cluster across the boundary of the trailing k would not be comparable: the data has none.
    if (k < q) expect(svd.s[q - k - 1]! - svd.s[q - k]!).toBeGreaterThan(1e-6 * svd.s[q - k - 1]!);
    for (const group of clusters(svd.s.subarray(q - k))) {
      const got = group.reduce((sum, i) => sum + gPart[b]![i]!, 0);
      const want = group.reduce((sum, i) => sum + ref[i]!, 0);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(tolerance * scale);
    }
    expect(part.factors.parts[b]!.svd.s.length).toBe(k);
  });
}

describe.skipIf(!smallestSvd || !lapack)(`factorMatrix with SmallestSvd parts${smallestSvd && lapack ? "" : " (skipped: liblapacke.so.3 not loadable here)"}`, () => {
  const full = lapack!;
  for (const [m, n, smallest] of [[48, 40, 5], [40, 64, 5], [300, 200, 20]] as const) {
    const trailing = loadSmallestSvd({ smallest });
    const w = randomMatrix(m, n, 3 * m + n);
    const g = randomMatrix(m, n, 5 * m + n);
    for (const c of cases(m, n)) {
      it(`gives dgesdd's σ-gradients and score for ${m}×${n}, ${c.name}, smallest = ${smallest}`, () => {
        const ref = factorMatrix(w, full, c.options);
        const f = factorMatrix(w, full, { ...c.options, partSvd: trailing });
        expect(f.grouping).toEqual(ref.grouping);
        for (const p of f.factors.parts) expect(p.svd.partial).toEqual({ rank: Math.min(p.end - p.start, n), method: "gram" });
        const gRef = factoredSigmaGradients(ref, g, smallest);
        const gPart = factoredSigmaGradients(f, g, smallest);
        expectSameGradients(ref, f, gRef, gPart, 1e-10);
        const sRef = scoreMatrix(ref.factors, gRef, smallest);
        const sPart = scoreMatrix(f.factors, gPart, smallest);
        expect(Math.abs(sPart.score - sRef.score)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(sRef.score)));
        sPart.smallest.forEach((block, b) => {
          expect(block.sigma.length).toBe(sRef.smallest[b]!.sigma.length);
          block.sigma.forEach((s, i) => expect(Math.abs(s - sRef.smallest[b]!.sigma[i]!)).toBeLessThan(1e-13 * Math.max(...ref.factors.parts[b]!.svd.s)));
        });
      });
    }
  }

  it("gives each part of a blocked matrix exactly its own trailing triplets (the transform's and grouping's W̃ parts)", () => {
    const trailing = loadSmallestSvd({ smallest: 5 });
    const w = randomMatrix(48, 40, 9);
    const f = factorMatrix(w, full, { blocks: 4, partSvd: trailing });
    for (const p of f.factors.parts) {
      const a: Matrix = { rows: p.end - p.start, cols: 40, data: w.data.slice(p.start * 40, p.end * 40) };
      expectTrailing(a, p.svd, full.decompose(a), 5);
    }
  });

  it("gives the same σ-gradients from token projections (sigmaProbes + SigmaProjection) as dgesdd factors", () => {
    const [m, n, smallest] = [40, 64, 5];
    const trailing = loadSmallestSvd({ smallest });
    const w = randomMatrix(m, n, 31);
    const r = rng(32);
    const batches = [29, 41].map((tokens) => ({ tokens, x: Float32Array.from({ length: tokens * n }, r), dy: Float32Array.from({ length: tokens * m }, r) }));
    for (const c of cases(m, n)) {
      const project = (f: FactoredMatrix): Float64Array[] => {
        const acc = new SigmaProjection(sigmaProbes(f, smallest), referenceGemm);
        for (const { x, dy, tokens } of batches) acc.add(x, dy, tokens);
        return acc.read();
      };
      const ref = factorMatrix(w, full, c.options);
      const f = factorMatrix(w, full, { ...c.options, partSvd: trailing });
      // Probes are float32: each σ-gradient carries a few 2⁻²⁴ relative roundings.
      expectSameGradients(ref, f, project(ref), project(f), 2e-6);
    }
  });

  it("refuses every truncation of trailing-only factors, naming the part and what to do", () => {
    const f = factorMatrix(randomMatrix(30, 20, 1), full, { blocks: 2, partSvd: loadSmallestSvd({ smallest: 3 }) });
    const refused = expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/part 0 .* holds only its 3 smallest of 15 singular triplets.*truncation needs every triplet/) });
    expect(() => truncateFactored(f, 0.5)).toThrow(refused);
    expect(() => truncateBlocks(f.factors, 0.5)).toThrow(refused);
    const weighted = factorMatrix(randomMatrix(30, 20, 1), full, { blocks: 2, transform: { rowScale: new Float64Array(30).fill(2) }, partSvd: loadSmallestSvd({ smallest: 3 }) });
    expect(() => truncateFactored(weighted, 0.5)).toThrow(refused);
  });

  it("refuses a score or probes asking for more smallest triplets than the parts hold", () => {
    const f = factorMatrix(randomMatrix(30, 20, 1), full, { blocks: 2, partSvd: loadSmallestSvd({ smallest: 3 }) });
    const grads = factoredSigmaGradients(f, randomMatrix(30, 20, 2), 3);
    expect(scoreMatrix(f.factors, grads, 3).smallest.map((b) => b.sigma.length)).toEqual([3, 3]);
    const tooMany = expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("smallest = 4 needs 4") });
    expect(() => scoreMatrix(f.factors, grads, 4)).toThrow(tooMany);
    expect(() => sigmaProbes(f, 4)).toThrow(tooMany);
    // A part with fewer singular values than asked is complete at its rank, as with full factors.
    const small = factorMatrix(randomMatrix(4, 20, 1), full, { blocks: 2, partSvd: loadSmallestSvd({ smallest: 3 }) });
    expect(sigmaProbes(small, 20).parts.map((p) => p.count)).toEqual([2, 2]);
  });
});
