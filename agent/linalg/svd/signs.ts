// What every SVD path shares: one sign convention (so LAPACK and TypeScript factors are interchangeable) and input checks.
import { C2iError } from "../../../common/errors.ts";
import type { Matrix } from "../matrix.ts";
import type { SvdResult } from "./types.ts";

/** Every path refuses NaN/Inf up front: an SVD of them is meaningless and LAPACK may not say so. */
export function assertFinite(a: Matrix, where: string): void {
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      const row = Math.floor(i / a.cols);
      throw new C2iError(
        "NUMERIC",
        `${where}: the ${a.rows}×${a.cols} matrix holds ${d[i]} at (${row}, ${i - row * a.cols}); check the weights or gradients that produced it`,
      );
    }
  }
}

/**
 * Flips (uᵢ, vᵢ) pairs in place so that the largest-magnitude entry of each column uᵢ is positive
 * (the first such entry on ties). The product U Σ Vᵀ is unchanged.
 */
export function canonicalizeSigns(res: SvdResult): SvdResult {
  const { u, vt } = res;
  const r = res.s.length;
  const ud = u.data;
  // One row-wise pass (U is row-major): the largest |u_ik| per column k and its sign.
  const best = new Float64Array(r);
  const neg = new Uint8Array(r);
  for (let i = 0; i < u.rows; i++) {
    const o = i * r;
    for (let k = 0; k < r; k++) {
      const x = ud[o + k];
      const ax = x < 0 ? -x : x;
      if (ax > best[k]) {
        best[k] = ax;
        neg[k] = x < 0 ? 1 : 0;
      }
    }
  }
  if (!neg.includes(1)) return res;
  for (let i = 0; i < u.rows; i++) {
    const o = i * r;
    for (let k = 0; k < r; k++) if (neg[k]) ud[o + k] = -ud[o + k];
  }
  const vd = vt.data;
  for (let k = 0; k < r; k++) {
    if (!neg[k]) continue;
    const o = k * vt.cols;
    for (let j = 0; j < vt.cols; j++) vd[o + j] = -vd[o + j];
  }
  return res;
}
