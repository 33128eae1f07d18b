// Checks shared by the smallest-triplet tests: a trailing-only SVD against the full dgesdd of the same matrix.
import { expect } from "vitest";
import { frobeniusNorm, type Matrix } from "../../agent/linalg/matrix.ts";
import { loadSmallestSvd, type SmallestSvd } from "../../agent/linalg/svd/smallest.ts";
import type { SvdResult } from "../../agent/linalg/svd/types.ts";

export const EPS = 2 ** -52;

export const smallestSvd: SmallestSvd | undefined = (() => {
  try {
    return loadSmallestSvd();
  } catch {
    return undefined;
  }
})();

/** What a check measured, for assertions on the tighter behaviour. */
export interface TrailingReport {
  /** max_i |σ̂ᵢ − σᵢ| / (ε·σ_max): ~1 when the σ are as accurate as dgesdd's. */
  sigmaInEpsMax: number;
}

/**
 * `res` must be the trailing min(smallest, q) triplets of `a`: σ within the documented Gram bound of dgesdd's —
 * |σ̂ᵢ − σᵢ| ≤ c·ε·σ_max²/σᵢ, at most c·√ε·σ_max for σ below √ε·σ_max — orthonormal u and v, and a valid
 * singular pair each (uᵀAv = σ, Av = σu, Aᵀu = σv) to `tolerance`·‖A‖_F.
 */
export function expectTrailing(a: Matrix, res: SvdResult, ref: SvdResult, smallest: number, tolerance = 1e-12): TrailingReport {
  const { rows: p, cols: n } = a;
  const q = Math.min(p, n);
  const k = Math.min(smallest, q);
  expect(res.s.length).toBe(k);
  expect(res.u.rows).toBe(p);
  expect(res.u.cols).toBe(k);
  expect(res.vt.rows).toBe(k);
  expect(res.vt.cols).toBe(n);
  expect(res.partial?.rank).toBe(q);
  const sMax = ref.s[0] ?? 0;
  const norm = frobeniusNorm(a);
  let sigmaInEpsMax = 0;
  for (let c = 0; c < k; c++) {
    const got = res.s[c]!;
    const want = ref.s[q - k + c]!;
    if (c > 0) expect(got).toBeLessThanOrEqual(res.s[c - 1]!);
    expect(got).toBeGreaterThanOrEqual(0);
    // The Gram bound: relative error ε·(σ_max/σ)², i.e. absolute ε·σ_max²/σ, never tighter than dgesdd's ε·σ_max
    // and never looser than √ε·σ_max (eigenvalues below ε·σ_max² are not resolved).
    const bound = sMax === 0 ? 0 : 64 * EPS * sMax * Math.max(1, Math.min(sMax / want, 1 / Math.sqrt(EPS)));
    expect(Math.abs(got - want)).toBeLessThanOrEqual(bound);
    sigmaInEpsMax = Math.max(sigmaInEpsMax, sMax === 0 ? 0 : Math.abs(got - want) / (EPS * sMax));
  }
  const u = (i: number, c: number): number => res.u.data[i * k + c]!;
  const v = (j: number, c: number): number => res.vt.data[c * n + j]!;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d <= c; d++) {
      let uu = 0;
      let vv = 0;
      for (let i = 0; i < p; i++) uu += u(i, c) * u(i, d);
      for (let j = 0; j < n; j++) vv += v(j, c) * v(j, d);
      expect(Math.abs(uu - (c === d ? 1 : 0))).toBeLessThan(1e-12);
      expect(Math.abs(vv - (c === d ? 1 : 0))).toBeLessThan(1e-12);
    }
    const av = new Float64Array(p);
    const atu = new Float64Array(n);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < n; j++) {
        const x = a.data[i * n + j]!;
        av[i]! += x * v(j, c);
        atu[j]! += x * u(i, c);
      }
    }
    let uav = 0;
    let r1 = 0;
    let r2 = 0;
    for (let i = 0; i < p; i++) {
      uav += u(i, c) * av[i]!;
      r1 += (av[i]! - res.s[c]! * u(i, c)) ** 2;
    }
    for (let j = 0; j < n; j++) r2 += (atu[j]! - res.s[c]! * v(j, c)) ** 2;
    expect(Math.abs(uav - res.s[c]!)).toBeLessThanOrEqual(tolerance * norm);
    expect(Math.sqrt(r1)).toBeLessThanOrEqual(tolerance * norm);
    expect(Math.sqrt(r2)).toBeLessThanOrEqual(tolerance * norm);
  }
  return { sigmaInEpsMax };
}

/**
 * Indices of `s` (descending) grouped into clusters of relative gap < `gap`: within a cluster only sums over it are
 * comparable between two SVDs, since equal σ let both factors rotate together.
 */
export function clusters(s: ArrayLike<number>, gap = 1e-6): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < s.length; i++) {
    const last = out.at(-1);
    if (last && Math.abs(s[i - 1]! - s[i]!) <= gap * Math.max(s[i - 1]!, Number.MIN_VALUE)) last.push(i);
    else out.push([i]);
  }
  return out;
}
