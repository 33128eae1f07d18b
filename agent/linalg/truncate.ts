// Per-block rank truncation at reduction rate ρ (LASER's keep rule) and restacking into one weight.
import { C2iError } from "../../common/errors.ts";
import type { BlockFactors } from "./blocks.ts";
import { assertComplete } from "./svd/partial.ts";

/** k = max(1, ⌊(1 − ρ)·r + 1e-9⌋): ρ is the fraction of rank removed; the 1e-9 makes 0.2·10 = 2 exact. */
export function keptRank(r: number, rate: number): number {
  if (!(rate >= 0 && rate < 1)) {
    throw new C2iError("INVALID_ARGUMENT", `reduction rate ${rate} must lie in [0, 1) (0.99 keeps 1% of the rank)`);
  }
  return Math.max(1, Math.floor((1 - rate) * r + 1e-9));
}

/**
 * Ŵ_b = U_b[:, :k_b] Σ_b[:k_b] V_b[:, :k_b]ᵀ, one float64 row of the restacked rows×cols weight at a
 * time: `emit(i, row)` gets row i (the buffer is reused, so copy it before the next call). Every truncation
 * (truncateBlocks, truncateFactored) passes here, so trailing-only factors (`SvdResult.partial`) are refused here.
 */
export function reconstructRows(f: BlockFactors, rate: number, emit: (i: number, row: Float64Array) => void): number[] {
  f.parts.forEach(({ svd }, b) => assertComplete(svd, `part ${b} of the ${f.rows}×${f.cols} factorization`));
  const n = f.cols;
  const row = new Float64Array(n);
  const keptRanks: number[] = [];
  for (const { start, end, svd } of f.parts) {
    const r = svd.s.length;
    const k = keptRank(r, rate);
    keptRanks.push(k);
    const u = svd.u.data;
    const vt = svd.vt.data;
    for (let i = 0; i < end - start; i++) {
      row.fill(0);
      for (let q = 0; q < k; q++) {
        const c = u[i * r + q] * svd.s[q];
        if (c === 0) continue;
        const vo = q * n;
        for (let j = 0; j < n; j++) row[j] += c * vt[vo + j];
      }
      emit(start + i, row);
    }
  }
  return keptRanks;
}

/** `reconstructRows` into a rows×cols float32 weight (row-major, the shape of W): accumulated in float64, rounded once. */
export function truncateBlocks(f: BlockFactors, rate: number): { weight: Float32Array; keptRanks: number[] } {
  const n = f.cols;
  const weight = new Float32Array(f.rows * n);
  const keptRanks = reconstructRows(f, rate, (i, row) => weight.set(row, i * n));
  return { weight, keptRanks };
}
