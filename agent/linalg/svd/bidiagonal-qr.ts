// Singular values and vectors of an upper bidiagonal matrix by implicit-shift QR (LINPACK dsvdc / JAMA).
import { C2iError } from "../../../common/errors.ts";
import { hypot } from "./householder.ts";

/**
 * Diagonalises B = bidiag(d, e) (n×n): on return d holds the singular values in descending order,
 * and the rows of `ut` (n rows, stride ldu) and `vt` (n rows, stride ldv) have been rotated so
 * that B = (Utᵀ)·diag(d)·Vt when they started as identities. Rotations act on whole contiguous
 * rows (the vectors are stored as rows), which is what makes this fast in a typed array.
 * Deflation uses relative tests (|e_k| ≤ ε(|d_k| + |d_{k+1}|)), so the small singular values keep
 * an absolute error of O(ε‖B‖).
 */
export function bidiagonalQr(
  d: Float64Array,
  e: Float64Array,
  n: number,
  ut: Float64Array,
  ldu: number,
  vt: Float64Array,
  ldv: number,
  rowLen: number,
): void {
  const eps = 2 ** -52;
  const tiny = 2 ** -966;
  const maxIter = 50 * n + 100; // sweeps; convergence typically takes about 2n
  let total = 0;
  let p = n;
  while (p > 0) {
    if (++total > maxIter) {
      throw new C2iError("NUMERIC", `bidiagonal QR did not converge after ${maxIter} sweeps for a ${n}×${n} matrix; check the input for NaN or Inf`);
    }
    let k: number;
    for (k = p - 2; k >= 0; k--) {
      if (Math.abs(e[k]) <= tiny + eps * (Math.abs(d[k]) + Math.abs(d[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    let kase: number;
    if (k === p - 2) {
      kase = 4;
    } else {
      let ks: number;
      for (ks = p - 1; ks > k; ks--) {
        const t = (ks !== p ? Math.abs(e[ks]) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]) : 0);
        if (Math.abs(d[ks]) <= tiny + eps * t) {
          d[ks] = 0;
          break;
        }
      }
      if (ks === k) kase = 3;
      else if (ks === p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    if (kase === 1) {
      // d[p−1] is negligible: chase e[p−2] up and out with rotations on the right.
      let f = e[p - 2];
      e[p - 2] = 0;
      for (let j = p - 2; j >= k; j--) {
        const t = hypot(d[j], f);
        const cs = d[j] / t;
        const sn = f / t;
        d[j] = t;
        if (j !== k) {
          f = -sn * e[j - 1];
          e[j - 1] = cs * e[j - 1];
        }
        rotateRows(vt, j * ldv, (p - 1) * ldv, rowLen, cs, sn);
      }
    } else if (kase === 2) {
      // d[k−1] is negligible: split there, chasing e[k−1] down with rotations on the left.
      let f = e[k - 1];
      e[k - 1] = 0;
      for (let j = k; j < p; j++) {
        const t = hypot(d[j], f);
        const cs = d[j] / t;
        const sn = f / t;
        d[j] = t;
        f = -sn * e[j];
        e[j] = cs * e[j];
        rotateRows(ut, j * ldu, (k - 1) * ldu, rowLen, cs, sn);
      }
    } else if (kase === 3) {
      qrStep(d, e, k, p, ut, ldu, vt, ldv, rowLen);
    } else {
      // d[k] converged: make it non-negative.
      if (d[k] <= 0) {
        d[k] = d[k] < 0 ? -d[k] : 0;
        const o = k * ldv;
        for (let i = 0; i < rowLen; i++) vt[o + i] = -vt[o + i];
      }
      p--;
    }
  }
  sortDescending(d, n, ut, ldu, vt, ldv, rowLen);
}

/** One implicit QR sweep with the Wilkinson-style shift from the trailing 2×2 block. */
function qrStep(
  d: Float64Array,
  e: Float64Array,
  k: number,
  p: number,
  ut: Float64Array,
  ldu: number,
  vt: Float64Array,
  ldv: number,
  rowLen: number,
): void {
  const scale = Math.max(Math.abs(d[p - 1]), Math.abs(d[p - 2]), Math.abs(e[p - 2]), Math.abs(d[k]), Math.abs(e[k]));
  const sp = d[p - 1] / scale;
  const spm1 = d[p - 2] / scale;
  const epm1 = e[p - 2] / scale;
  const sk = d[k] / scale;
  const ek = e[k] / scale;
  const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
  const c = sp * epm1 * (sp * epm1);
  let shift = 0;
  if (b !== 0 || c !== 0) {
    shift = Math.sqrt(b * b + c);
    if (b < 0) shift = -shift;
    shift = c / (b + shift);
  }
  let f = (sk + sp) * (sk - sp) + shift;
  let g = sk * ek;
  const cv = new Float64Array(p - 1 - k);
  const sv = new Float64Array(p - 1 - k);
  const cu = new Float64Array(p - 1 - k);
  const su = new Float64Array(p - 1 - k);
  for (let j = k; j < p - 1; j++) {
    let t = hypot(f, g);
    let cs = f / t;
    let sn = g / t;
    if (j !== k) e[j - 1] = t;
    f = cs * d[j] + sn * e[j];
    e[j] = cs * e[j] - sn * d[j];
    g = sn * d[j + 1];
    d[j + 1] = cs * d[j + 1];
    cv[j - k] = cs;
    sv[j - k] = sn;
    t = hypot(f, g);
    cs = f / t;
    sn = g / t;
    d[j] = t;
    f = cs * e[j] + sn * d[j + 1];
    d[j + 1] = -sn * e[j] + cs * d[j + 1];
    g = sn * e[j + 1];
    e[j + 1] = cs * e[j + 1];
    cu[j - k] = cs;
    su[j - k] = sn;
  }
  e[p - 2] = f;
  rotationChain(vt, ldv, k, p, cv, sv, rowLen);
  rotationChain(ut, ldu, k, p, cu, su, rowLen);
}

/**
 * Applies the sweep's rotations (k, k+1), (k+1, k+2), … (p−2, p−1) in that order to rows of `a`
 * (LAPACK dlasr, variable pivot, forward). Done four columns at a time down the rows, the row
 * being carried stays in registers: one load and one store per element and rotation, not two.
 */
function rotationChain(a: Float64Array, ld: number, k: number, p: number, c: Float64Array, s: Float64Array, len: number): void {
  const nrot = p - 1 - k;
  let col = 0;
  for (; col + 4 <= len; col += 4) {
    let o = k * ld + col;
    let x0 = a[o], x1 = a[o + 1], x2 = a[o + 2], x3 = a[o + 3];
    for (let r = 0; r < nrot; r++) {
      const cr = c[r];
      const sr = s[r];
      const on = o + ld;
      const y0 = a[on], y1 = a[on + 1], y2 = a[on + 2], y3 = a[on + 3];
      a[o] = cr * x0 + sr * y0;
      a[o + 1] = cr * x1 + sr * y1;
      a[o + 2] = cr * x2 + sr * y2;
      a[o + 3] = cr * x3 + sr * y3;
      x0 = cr * y0 - sr * x0;
      x1 = cr * y1 - sr * x1;
      x2 = cr * y2 - sr * x2;
      x3 = cr * y3 - sr * x3;
      o = on;
    }
    a[o] = x0;
    a[o + 1] = x1;
    a[o + 2] = x2;
    a[o + 3] = x3;
  }
  for (; col < len; col++) {
    let o = k * ld + col;
    let x = a[o];
    for (let r = 0; r < nrot; r++) {
      const on = o + ld;
      const y = a[on];
      a[o] = c[r] * x + s[r] * y;
      x = c[r] * y - s[r] * x;
      o = on;
    }
    a[o] = x;
  }
}

/** (x, y) ← (c·x + s·y, −s·x + c·y) on two contiguous rows. */
function rotateRows(a: Float64Array, ox: number, oy: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const x = a[ox + i];
    const y = a[oy + i];
    a[ox + i] = c * x + s * y;
    a[oy + i] = c * y - s * x;
  }
}

function sortDescending(d: Float64Array, n: number, ut: Float64Array, ldu: number, vt: Float64Array, ldv: number, rowLen: number): void {
  let sorted = true;
  for (let i = 1; i < n; i++) if (d[i] > d[i - 1]) sorted = false;
  if (sorted) return;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[b] - d[a] || a - b);
  const dd = Float64Array.from(order, (i) => d[i]);
  d.set(dd);
  permuteRows(ut, ldu, order, rowLen);
  permuteRows(vt, ldv, order, rowLen);
}

function permuteRows(a: Float64Array, ld: number, order: number[], rowLen: number): void {
  const copy = new Float64Array(order.length * rowLen);
  for (let i = 0; i < order.length; i++) copy.set(a.subarray(order[i] * ld, order[i] * ld + rowLen), i * rowLen);
  for (let i = 0; i < order.length; i++) a.set(copy.subarray(i * rowLen, (i + 1) * rowLen), i * ld);
}
