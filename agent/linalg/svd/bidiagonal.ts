// Householder bidiagonalisation A = Q B Pᵀ of a matrix stored transposed (Golub–Kahan, first stage of the SVD).
import { makeReflector, type Reflector } from "./householder.ts";
import type { Kernels } from "./wasm-kernels.ts";

/**
 * Scratch for the SIMD trailing-row pass (wasm-bidiagonal.ts): views of the kernels' buffer for
 * the reflector v, w and acc (≥ m doubles each), the per-row factors f (≥ n) and τ (1).
 */
export interface BidiagonalScratch {
  kernels: Kernels;
  v: Float64Array;
  w: Float64Array;
  acc: Float64Array;
  f: Float64Array;
  tau: Float64Array;
}

export interface Bidiagonal {
  /** diagonal of B, n entries */
  d: Float64Array;
  /** superdiagonal of B, e[k] = B[k][k+1]; n entries with e[n−1] = 0 */
  e: Float64Array;
  /** Q = L₀ L₁ … L_{n−1}; L_k acts on indices [k, m) */
  left: Reflector[];
  /** P = R₀ R₁ …; R_k acts on indices [k+1, n) */
  right: Reflector[];
}

/**
 * Reduces A (m×n, m ≥ n), given as `at` = Aᵀ (n rows of length `ld` ≥ m), to upper bidiagonal
 * form. `at` is overwritten. A left reflector of A is a right reflector of the rows of Aᵀ (a dot
 * and an axpy per row); a right reflector of A is w = Σⱼ uⱼ·rowⱼ followed by rowⱼ −= τ uⱼ w.
 * That rank-one update is deferred and fused with the next left reflector, and w itself is gathered
 * while the left reflector is applied, so each step makes one read–write pass over the trailing
 * rows (plus one read for the dots) instead of three. With `scratch` (and `at` in its buffer) that
 * pass runs in the SIMD kernel: the same updates, with the dot products summed pairwise.
 */
export function bidiagonalize(at: Float64Array, n: number, m: number, ld = m, scratch?: BidiagonalScratch): Bidiagonal {
  const simd = scratch && at.buffer === scratch.kernels.buffer ? scratch : undefined;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const left: Reflector[] = new Array(n);
  const right: Reflector[] = [];
  const g = new Float64Array(n);
  const w = simd ? simd.w : new Float64Array(m);
  const acc = simd ? simd.acc : new Float64Array(m);
  // The pending rank-one update rowⱼ[k..m) −= pf·u[j−k]·w, from the previous step's right reflector.
  let pending = false;
  let pu: Float64Array = new Float64Array(0);
  let pf = 0;
  for (let k = 0; k < n; k++) {
    const width = m - k;
    if (pending) rankOne(at, k * ld + k, width, pf * pu[0], w);
    const lk = makeReflector(at, k * ld + k, width, k);
    left[k] = lk.refl;
    d[k] = lk.beta;
    const { v, tau } = lk.refl;
    // acc = Σ_{j ≥ k+2} row_j[k] · row_j[k+1..m) over the updated rows, gathered in the same pass: the
    // next right reflector's u is (1, row_{k+2}[k], …)·scale, so w = row_{k+1} + scale·acc needs no extra pass.
    const wlen = m - k - 1;
    acc.fill(0, 0, wlen);
    if (simd) {
      const rows = n - k - 1;
      if (rows > 0) {
        simd.v.set(v);
        for (let r = 0; r < rows; r++) simd.f[r] = pending ? pf * pu[r + 1] : 0;
        simd.tau[0] = tau;
        simd.kernels.bidiag(at.byteOffset + ((k + 1) * ld + k) * 8, ld * 8, rows, width, simd.v.byteOffset, simd.f.byteOffset, w.byteOffset, acc.byteOffset, simd.tau.byteOffset);
      }
    } else {
      trailingRows(at, ld, n, k, width, v, tau, pending, pf, pu, w, acc);
    }
    pending = false;
    if (k >= n - 1) continue;
    const len = n - k - 1;
    for (let q = 0; q < len; q++) g[q] = at[(k + 1 + q) * ld + k];
    const rk = makeReflector(g, 0, len, k + 1);
    e[k] = rk.beta;
    if (len < 2) continue;
    right.push(rk.refl);
    if (rk.refl.tau === 0) continue;
    // w = Σ_q u_q · row_{k+1+q}[k+1..m) with u = (1, g₁·scale, …) as makeReflector built it; the update waits for the next step's pass.
    const scale = 1 / (g[0] - rk.beta);
    const o = (k + 1) * ld + k + 1;
    for (let c = 0; c < wlen; c++) w[c] = at[o + c] + scale * acc[c];
    pending = true;
    pu = rk.refl.v;
    pf = rk.refl.tau;
  }
  return { d, e, left, right };
}

function rankOne(at: Float64Array, o: number, width: number, f: number, w: Float64Array): void {
  for (let c = 0; c < width; c++) at[o + c] -= f * w[c];
}

/** The trailing-row pass of step k in JavaScript, two rows at a time (see bidiagonalize). */
function trailingRows(
  at: Float64Array,
  ld: number,
  n: number,
  k: number,
  width: number,
  v: Float64Array,
  tau: number,
  pending: boolean,
  pf: number,
  pu: Float64Array,
  w: Float64Array,
  acc: Float64Array,
): void {
  let j = k + 1;
  for (; j + 2 <= n; j += 2) {
    const o0 = j * ld + k;
    const o1 = o0 + ld;
    let d0 = 0;
    let d1 = 0;
    if (pending) {
      const f0 = pf * pu[j - k];
      const f1 = pf * pu[j + 1 - k];
      for (let c = 0; c < width; c++) {
        const wc = w[c];
        const vc = v[c];
        const x0 = at[o0 + c] - f0 * wc;
        const x1 = at[o1 + c] - f1 * wc;
        at[o0 + c] = x0;
        at[o1 + c] = x1;
        d0 += x0 * vc;
        d1 += x1 * vc;
      }
    } else {
      for (let c = 0; c < width; c++) {
        const vc = v[c];
        d0 += at[o0 + c] * vc;
        d1 += at[o1 + c] * vc;
      }
    }
    d0 *= tau;
    d1 *= tau;
    at[o0] -= d0 * v[0];
    at[o1] -= d1 * v[0];
    const g0 = j === k + 1 ? 0 : at[o0];
    const g1 = at[o1];
    for (let c = 1; c < width; c++) {
      const vc = v[c];
      const x0 = at[o0 + c] - d0 * vc;
      const x1 = at[o1 + c] - d1 * vc;
      at[o0 + c] = x0;
      at[o1 + c] = x1;
      acc[c - 1] += g0 * x0 + g1 * x1;
    }
  }
  for (; j < n; j++) {
    const o = j * ld + k;
    if (pending) rankOne(at, o, width, pf * pu[j - k], w);
    let dot = 0;
    for (let c = 0; c < width; c++) dot += at[o + c] * v[c];
    dot *= tau;
    at[o] -= dot * v[0];
    const g0 = j === k + 1 ? 0 : at[o];
    for (let c = 1; c < width; c++) {
      const x = at[o + c] - dot * v[c];
      at[o + c] = x;
      acc[c - 1] += g0 * x;
    }
  }
}
