// FWSVD and ASVD reduce to plain SVD under neutral statistics, and their truncations satisfy the weighted identities.
import { describe, expect, it } from "vitest";
import { factorBlocks, sigmaGradients, truncateBlocks } from "../../agent/linalg/blocks.ts";
import {
  accumulateInputs,
  asvdTransform,
  emptyInputStatistics,
  factorMatrix,
  factoredSigmaGradients,
  fisherRowScale,
  forwardTransform,
  gradientTransform,
  inverseTransform,
  lowRankParameters,
  squaredGradient,
  truncateFactored,
} from "../../agent/linalg/factorizations/mod.ts";
import { type Matrix, multiply } from "../../agent/linalg/matrix.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { randomMatrix, rng } from "../linalg/helpers.ts";

const svd = new TypeScriptSvd();
const W = randomMatrix(12, 9, 7);
const G = randomMatrix(12, 9, 8);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** ‖D·(A − B)·S‖_F for a diagonal row and column weighting (either may be absent). */
function weightedError(a: ArrayLike<number>, b: ArrayLike<number>, rows: number, cols: number, d?: Float64Array, s?: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sum += ((a[i * cols + j]! - b[i * cols + j]!) * (d ? d[i]! : 1) * (s ? s[j]! : 1)) ** 2;
  return Math.sqrt(sum);
}

describe("factorizations", () => {
  it("FWSVD with uniform Fisher weights truncates exactly as plain SVD (K = 1 and K = 3)", () => {
    const uniform = fisherRowScale(new Float64Array(12 * 9).fill(0.25), 12, 9);
    expect([...uniform].every((x) => Math.abs(x - 1.5) < 1e-15)).toBe(true);
    for (const blocks of [1, 3]) {
      const plain = truncateBlocks(factorBlocks(W, blocks, svd), 0.4);
      const fw = truncateFactored(factorMatrix(W, svd, { blocks, transform: { rowScale: uniform } }), 0.4);
      expect(fw.keptRanks).toEqual(plain.keptRanks);
      expect(maxAbsDiff(fw.weight, plain.weight)).toBeLessThan(1e-6);
    }
  });

  it("ASVD with identity statistics is plain SVD, byte for byte for the scaling variant", () => {
    const stats = emptyInputStatistics(9, true);
    // one unit input per feature: XXᵀ = I, and α = 0 makes every column scale 1
    const x = new Float32Array(9 * 9);
    for (let j = 0; j < 9; j++) x[j * 9 + j] = 1;
    accumulateInputs(stats, x, 9);
    const scale = asvdTransform(stats, { alpha: 0 });
    expect([...scale.colScale!]).toEqual(new Array(9).fill(1));
    const plain = truncateBlocks(factorBlocks(W, 2, svd), 0.5);
    const asvdScale = truncateFactored(factorMatrix(W, svd, { blocks: 2, transform: scale }), 0.5);
    expect(maxAbsDiff(asvdScale.weight, plain.weight)).toBeLessThan(1e-6);
    const chol = asvdTransform(stats, { method: "cholesky", damping: 0 });
    const l = chol.colFactor!;
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) expect(l.data[i * 9 + j]).toBe(i === j ? 1 : 0);
    const asvdChol = truncateFactored(factorMatrix(W, svd, { blocks: 2, transform: chol }), 0.5);
    expect(Buffer.from(asvdChol.weight.buffer).equals(Buffer.from(plain.weight.buffer))).toBe(true);
  });

  it("the identity transform reproduces truncateBlocks bytes and its σ-gradients", () => {
    const f = factorMatrix(W, svd, { blocks: 3 });
    const plain = factorBlocks(W, 3, svd);
    expect(Buffer.from(truncateFactored(f, 0.2).weight.buffer).equals(Buffer.from(truncateBlocks(plain, 0.2).weight.buffer))).toBe(true);
    const a = factoredSigmaGradients(f, G);
    const b = sigmaGradients(plain, G);
    a.forEach((g, i) => expect(maxAbsDiff(g, b[i]!)).toBe(0));
  });

  it("rate 0 reconstructs W through every transform (D⁻¹·(D·W·S)·S⁻¹ = W)", () => {
    const d = Float64Array.from({ length: 12 }, (_, i) => 0.5 + i / 7);
    const stats = emptyInputStatistics(9, true);
    const r = rng(3);
    accumulateInputs(stats, Float32Array.from({ length: 40 * 9 }, r), 40);
    for (const transform of [{ rowScale: d }, asvdTransform(stats), asvdTransform(stats, { method: "cholesky" }), { rowScale: d, ...asvdTransform(stats, { method: "cholesky" }) }]) {
      const back = inverseTransform(forwardTransform(W, transform), transform);
      expect(maxAbsDiff(back.data, W.data)).toBeLessThan(1e-12);
      const full = truncateFactored(factorMatrix(W, svd, { blocks: 2, transform }), 0);
      expect(maxAbsDiff(full.weight, W.data)).toBeLessThan(1e-6);
    }
  });

  it("refuses weights that take W beyond the SVD's range (INVALID_ARGUMENT, not the SVD's NUMERIC)", () => {
    const huge = Float64Array.from({ length: 12 }, (_, i) => (i === 3 ? 1e200 : 1));
    expect(() => forwardTransform(W, { rowScale: huge })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("out of the SVD's range") }));
    expect(() => factorMatrix(W, svd, { blocks: 2, transform: { colScale: Float64Array.from({ length: 9 }, () => 1e308) } })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => factorMatrix(W, svd, { blocks: 2, transform: { rowScale: Float64Array.from({ length: 12 }, () => 1e100) } })).not.toThrow();
  });

  it("FWSVD's truncation has the smallest row-weighted error of all rank-k truncations tried, plain SVD the smallest plain error", () => {
    const fisher = fisherRowScale(squaredGradient(G.data.map((x, i) => x * (1 + (Math.floor(i / 9) % 4) * 3))), 12, 9);
    const fw = truncateFactored(factorMatrix(W, svd, { blocks: 1, transform: { rowScale: fisher } }), 0.5).weight;
    const plain = truncateBlocks(factorBlocks(W, 1, svd), 0.5).weight;
    expect(weightedError(W.data, fw, 12, 9, fisher)).toBeLessThan(weightedError(W.data, plain, 12, 9, fisher));
    expect(weightedError(W.data, plain, 12, 9)).toBeLessThan(weightedError(W.data, fw, 12, 9));
  });

  it("ASVD-Cholesky's truncation has a smaller output error ‖(W − Ŵ)X‖ than plain SVD's", () => {
    // inputs with very unequal feature energies: the case ASVD is for
    const tokens = 60;
    const r = rng(11);
    const x = Float32Array.from({ length: tokens * 9 }, (_, i) => r() * (1 + 10 * ((i % 9) % 3 === 0 ? 1 : 0)));
    const stats = emptyInputStatistics(9, true);
    accumulateInputs(stats, x, tokens);
    const X: Matrix = { rows: 9, cols: tokens, data: new Float64Array(9 * tokens) };
    for (let t = 0; t < tokens; t++) for (let j = 0; j < 9; j++) X.data[j * tokens + t] = x[t * 9 + j]!;
    const outErr = (w: ArrayLike<number>) => {
      const diff: Matrix = { rows: 12, cols: 9, data: Float64Array.from(W.data, (v, i) => v - w[i]!) };
      return Math.hypot(...multiply(diff, X).data);
    };
    const asvd = truncateFactored(factorMatrix(W, svd, { blocks: 1, transform: asvdTransform(stats, { method: "cholesky", damping: 0 }) }), 0.5).weight;
    const scaled = truncateFactored(factorMatrix(W, svd, { blocks: 1, transform: asvdTransform(stats) }), 0.5).weight;
    const plain = truncateBlocks(factorBlocks(W, 1, svd), 0.5).weight;
    expect(outErr(asvd)).toBeLessThan(outErr(plain));
    expect(outErr(asvd)).toBeLessThanOrEqual(outErr(scaled) * (1 + 1e-6));
  });

  it("σ-gradients in the weighted space equal a finite-difference derivative of ⟨G, W⟩ along σᵢ of W̃", () => {
    const d = Float64Array.from({ length: 12 }, (_, i) => 1 + (i % 3));
    const transform = { rowScale: d, colScale: Float64Array.from({ length: 9 }, (_, j) => 0.5 + j / 9) };
    const f = factorMatrix(W, svd, { blocks: 2, transform });
    const g = factoredSigmaGradients(f, G);
    // L(W) = ⟨G, W⟩ is linear, so ∂L/∂σ_i = ⟨G, ∂W/∂σ_i⟩ with ∂W/∂σ_i = D⁻¹ Pᵀ (u_i v_iᵀ in its block) S⁻¹
    const part = f.factors.parts[1]!;
    const i = 2;
    const r = part.svd.s.length;
    const bump: Matrix = { rows: 12, cols: 9, data: new Float64Array(12 * 9) };
    for (let p = part.start; p < part.end; p++) {
      for (let j = 0; j < 9; j++) bump.data[p * 9 + j] = part.svd.u.data[(p - part.start) * r + i]! * part.svd.vt.data[i * 9 + j]!;
    }
    const unperm = new Float64Array(12 * 9);
    f.grouping.order.forEach((row, p) => unperm.set(bump.data.subarray(p * 9, p * 9 + 9), row * 9));
    const dW = inverseTransform({ rows: 12, cols: 9, data: unperm }, transform);
    const expected = dW.data.reduce((s, v, k) => s + v * G.data[k]!, 0);
    expect(Math.abs(g[1]![i]! - expected)).toBeLessThan(1e-10);
    expect(gradientTransform(G, {})).toBe(G);
  });

  it("counts the parameters of stored low-rank factors as Σ k_b (rows_b + cols)", () => {
    const f = factorMatrix(W, svd, { blocks: 2 });
    const { keptRanks } = truncateFactored(f, 0.5);
    expect(keptRanks).toEqual([3, 3]);
    expect(lowRankParameters(f, keptRanks)).toBe(3 * (6 + 9) * 2);
  });
});
