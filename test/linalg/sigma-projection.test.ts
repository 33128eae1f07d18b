// σ-gradients from token projections equal the full-gradient path (factoredSigmaGradients on G = DYᵀX) for every transform and grouping.
import { describe, expect, it } from "vitest";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import {
  accumulateInputs,
  asvdTransform,
  emptyInputStatistics,
  type FactorOptions,
  factorMatrix,
  factoredSigmaGradients,
} from "../../agent/linalg/factorizations/mod.ts";
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { type Gemm, SigmaProjection, sigmaProbes } from "../../agent/linalg/sigma-projection.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { randomMatrix, referenceGemm, rng } from "./helpers.ts";

const svd = new TypeScriptSvd();


const openBlas: Gemm | undefined = (() => {
  try {
    return loadOpenBlas();
  } catch {
    return undefined;
  }
})();

/**
 * Relative tolerances on max |error| / max |reference| per part. Ũ, Ṽ, P and Q are float32, so each σ-gradient
 * carries a few 2⁻²⁴ relative roundings of its T products; the reference GEMM sums in float64, OpenBLAS in float32.
 */
const GEMMS = [
  { name: "reference GEMM (float64 sums)", gemm: referenceGemm, tolerance: 1e-6 },
  { name: "OpenBLAS sgemm", gemm: openBlas, tolerance: 5e-6 },
];

/** One gradient pass's tokens: inputs with unequal feature energies (ASVD's case) and output gradients, in micro-batches. */
interface Pass {
  batches: { x: Float32Array; dy: Float32Array; tokens: number }[];
  /** G = Σ DYᵀX in float64 from the same float32 values. */
  g: Matrix;
}

/** The last batch ends in padding tokens: dy = 0 with non-zero x, as the engine's padded micro-batches. */
function pass(m: number, n: number, sizes: number[], seed: number): Pass {
  const r = rng(seed);
  const energy = Float64Array.from({ length: n }, (_, j) => 1 + 9 * ((j * 7) % 5 === 0 ? 1 : 0));
  const g = new Float64Array(m * n);
  const batches = sizes.map((tokens, b) => {
    const x = Float32Array.from({ length: tokens * n }, (_, i) => r() * energy[i % n]!);
    const padding = b === sizes.length - 1 ? 4 : 0;
    const dy = Float32Array.from({ length: tokens * m }, (_, i) => (Math.floor(i / m) < tokens - padding ? r() : 0));
    for (let t = 0; t < tokens; t++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[i * n + j]! += dy[t * m + i]! * x[t * n + j]!;
    return { x, dy, tokens };
  });
  return { batches, g: { rows: m, cols: n, data: g } };
}

/** Each micro-batch copied into one reused "heap" at an offset and passed as views, as the wasm engine hands them over. */
function project(f: ReturnType<typeof factorMatrix>, smallest: number, gemm: Gemm, p: Pass): Float64Array[] {
  const acc = new SigmaProjection(sigmaProbes(f, smallest), gemm);
  const heap = new Float32Array(1 << 16);
  for (const { x, dy, tokens } of p.batches) {
    heap.fill(Number.NaN);
    heap.set(x, 3);
    heap.set(dy, 5 + x.length);
    acc.add(heap.subarray(3, 3 + x.length), heap.subarray(5 + x.length, 5 + x.length + dy.length), tokens);
  }
  return acc.read();
}

function relativeError(actual: Float64Array[], expected: Float64Array[]): number {
  expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
  let worst = 0;
  actual.forEach((a, b) => {
    const e = expected[b]!;
    expect(Array.from(a, (x) => Number.isNaN(x))).toEqual(Array.from(e, (x) => Number.isNaN(x)));
    let scale = 0;
    let err = 0;
    for (let i = 0; i < e.length; i++) {
      if (Number.isNaN(e[i]!)) continue;
      scale = Math.max(scale, Math.abs(e[i]!));
      err = Math.max(err, Math.abs(a[i]! - e[i]!));
    }
    worst = Math.max(worst, err / scale);
  });
  return worst;
}

function calibration(n: number, seed: number) {
  const stats = emptyInputStatistics(n, true);
  const r = rng(seed);
  accumulateInputs(stats, Float32Array.from({ length: 160 * n }, (_, i) => r() * (1 + 9 * (((i % n) * 7) % 5 === 0 ? 1 : 0))), 160);
  return stats;
}

function cases(m: number, n: number): { name: string; options: FactorOptions; smallest: number }[] {
  const stats = calibration(n, 21);
  const rowScale = Float64Array.from({ length: m }, (_, i) => 0.3 + 0.7 * (i % 5));
  const assignment = Int32Array.from({ length: m }, (_, i) => (i * 7 + (i >> 2)) % 3);
  return [
    { name: "plain SVD, K = 1", options: { blocks: 1 }, smallest: 5 },
    { name: "plain SVD, K = 2", options: { blocks: 2 }, smallest: 5 },
    { name: "plain SVD, K = 4", options: { blocks: 4 }, smallest: 5 },
    { name: "FWSVD row scale, K = 2", options: { blocks: 2, transform: { rowScale } }, smallest: 5 },
    { name: "ASVD column scale, K = 2", options: { blocks: 2, transform: asvdTransform(stats) }, smallest: 5 },
    { name: "ASVD Cholesky column factor, K = 3", options: { blocks: 3, transform: asvdTransform(stats, { method: "cholesky" }) }, smallest: 5 },
    { name: "K-subspaces grouping, K = 3", options: { blocks: 3, clustering: "ksubspaces" }, smallest: 5 },
    {
      name: "explicit assignment with a row scale and a Cholesky factor, K = 3",
      options: { blocks: 3, assignment, transform: { rowScale, ...asvdTransform(stats, { method: "cholesky" }) } },
      smallest: 5,
    },
    { name: "smallest beyond every part's rank, K = 4", options: { blocks: 4 }, smallest: 30 },
    { name: "smallest beyond a part's rank with an ASVD scale, K = 1", options: { blocks: 1, transform: asvdTransform(stats) }, smallest: 45 },
  ];
}

for (const { name, gemm, tolerance } of GEMMS) {
  describe.skipIf(!gemm)(`σ-gradients from token projections on ${name}${gemm ? "" : " (skipped: OpenBLAS not loadable here)"}`, () => {
    for (const [m, n] of [
      [48, 40],
      [40, 64],
    ] as const) {
      const w = randomMatrix(m, n, m + n);
      const p = pass(m, n, [37, 50, 23], m * n);
      for (const c of cases(m, n)) {
        it(`equal factoredSigmaGradients on G = DYᵀX for ${m}×${n}, ${c.name}`, () => {
          const f = factorMatrix(w, svd, c.options);
          const err = relativeError(project(f, c.smallest, gemm!, p), factoredSigmaGradients(f, p.g, c.smallest));
          expect(err).toBeLessThan(tolerance);
        });
      }
    }
  });
}

describe("SigmaProjection", () => {
  const f = factorMatrix(randomMatrix(12, 9, 1), svd, { blocks: 2 });

  it("needs no tokens: an empty micro-batch adds nothing and an untouched projection reads zeros", () => {
    const acc = new SigmaProjection(sigmaProbes(f, 3), referenceGemm);
    acc.add(new Float32Array(0), new Float32Array(0), 0);
    expect(acc.read().map((g) => [...g])).toEqual([
      [NaN, NaN, NaN, 0, 0, 0],
      [NaN, NaN, NaN, 0, 0, 0],
    ]);
  });

  it("refuses inputs whose length is not tokens × the matrix's sides, naming both", () => {
    const acc = new SigmaProjection(sigmaProbes(f, 3), referenceGemm);
    expect(() => acc.add(new Float32Array(2 * 9), new Float32Array(2 * 9), 2)).toThrow(
      expect.objectContaining({ code: "SHAPE_MISMATCH", message: expect.stringContaining("expected 18 and 24") }),
    );
    expect(() => sigmaProbes(f, 0)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
