// Singular values and vectors of an upper bidiagonal matrix by implicit-shift QR (LINPACK dsvdc / JAMA).
import { C2iError } from "../../../common/errors.ts";
import { hypot } from "./householder.ts";
import type { Kernels } from "./wasm-kernels.ts";
import { rotStrip } from "./wasm-rotations.ts";

/**
 * Scratch for the SIMD rotation kernel: views of the kernels' buffer for a batch of rotations
 * (≥ 2n doubles) and its sweep triples (k, p, offset). Used when ut and vt lie in that buffer too.
 */
export interface RotationScratch {
  kernels: Kernels;
  rot: Float64Array;
  sweeps: Int32Array;
}

/**
 * Diagonalises B = bidiag(d, e) (n×n): on return d holds the singular values in descending order,
 * and the rows of `ut` (n rows, stride ldu) and `vt` (n rows, stride ldv) have been rotated so
 * that B = (Utᵀ)·diag(d)·Vt when they started as identities. The sweeps' rotations are recorded
 * and applied in batches, eight columns at a time down the rows (RotationLog), so the vectors stay
 * in cache across many sweeps; a stride ld that is a multiple of 16 doubles makes that slower.
 * Deflation uses relative tests (|e_k| ≤ ε(|d_k| + |d_{k+1}|)), so the small singular values keep
 * an absolute error of O(ε‖B‖). With `scratch`, the recorded sweeps run in the SIMD kernel
 * (wasm-rotations.ts): the same operations in the same order, so the output is bitwise the same.
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
  scratch?: RotationScratch,
): void {
  // Sweep rotations are only recorded here and applied later in column strips (see RotationLog);
  // negations of converged rows are deferred too, as no later rotation touches those rows.
  const vlog = new RotationLog(vt, ldv, rowLen, scratch);
  const ulog = new RotationLog(ut, ldu, rowLen, scratch);
  const negate = new Uint8Array(n);
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
      vlog.flush();
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
      ulog.flush();
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
      qrStep(d, e, k, p, ulog, vlog);
    } else {
      // d[k] converged: make it non-negative.
      if (d[k] <= 0) {
        d[k] = d[k] < 0 ? -d[k] : 0;
        negate[k] = 1;
      }
      p--;
    }
  }
  ulog.flush();
  vlog.flush();
  for (let k = 0; k < n; k++) {
    if (!negate[k]) continue;
    const o = k * ldv;
    for (let i = 0; i < rowLen; i++) vt[o + i] = -vt[o + i];
  }
  sortDescending(d, n, ut, ldu, vt, ldv, rowLen);
}

/** One implicit QR sweep with the Wilkinson-style shift from the trailing 2×2 block. */
function qrStep(
  d: Float64Array,
  e: Float64Array,
  k: number,
  p: number,
  ulog: RotationLog,
  vlog: RotationLog,
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
  const cv = vlog.chain(k, p);
  const cu = ulog.chain(k, p);
  const sv = cv + 1;
  const su = cu + 1;
  const vr = vlog.rot;
  const ur = ulog.rot;
  for (let j = k; j < p - 1; j++) {
    let t = hypot(f, g);
    let cs = f / t;
    let sn = g / t;
    if (j !== k) e[j - 1] = t;
    f = cs * d[j] + sn * e[j];
    e[j] = cs * e[j] - sn * d[j];
    g = sn * d[j + 1];
    d[j + 1] = cs * d[j + 1];
    vr[cv + 2 * (j - k)] = cs;
    vr[sv + 2 * (j - k)] = sn;
    t = hypot(f, g);
    cs = f / t;
    sn = g / t;
    d[j] = t;
    f = cs * e[j] + sn * d[j + 1];
    d[j + 1] = -sn * e[j] + cs * d[j + 1];
    g = sn * e[j + 1];
    e[j + 1] = cs * e[j + 1];
    ur[cu + 2 * (j - k)] = cs;
    ur[su + 2 * (j - k)] = sn;
  }
  e[p - 2] = f;
}

/**
 * The rotation sweeps for one set of vectors, recorded and applied later (dbdsqr's vectors, reordered).
 * Applying each sweep at once walks the whole n×n matrix per sweep, ~2n times, from memory; here the
 * recorded sweeps are applied one column strip at a time instead, so the strip stays in cache across
 * hundreds of sweeps. Each element still sees the same rotations in the same order: identical results.
 */
class RotationLog {
  /** (c, s) pairs of all recorded sweeps, back to back */
  rot: Float64Array = new Float64Array(1 << 14);
  private used = 0;
  /** per sweep: first row k, last row p − 1, offset into rot */
  private sweeps: Int32Array = new Int32Array(3 * 256);
  private count = 0;

  constructor(
    private readonly a: Float64Array,
    private readonly ld: number,
    private readonly len: number,
    private readonly scratch: RotationScratch | undefined,
  ) {}

  /** Reserves the sweep of rotations (k, k+1) … (p−2, p−1); returns the offset of its first c in `rot`. */
  chain(k: number, p: number): number {
    const need = 2 * (p - 1 - k);
    if (this.used + need > RotationLog.capacity) this.flush();
    if (this.used + need > this.rot.length) {
      const grown = new Float64Array(Math.max(this.used + need, 2 * this.rot.length));
      grown.set(this.rot.subarray(0, this.used));
      this.rot = grown;
    }
    if (3 * (this.count + 1) > this.sweeps.length) {
      const grown = new Int32Array(2 * this.sweeps.length);
      grown.set(this.sweeps);
      this.sweeps = grown;
    }
    const at = this.used;
    this.sweeps[3 * this.count] = k;
    this.sweeps[3 * this.count + 1] = p;
    this.sweeps[3 * this.count + 2] = at;
    this.count++;
    this.used += need;
    return at;
  }

  /** Applies every recorded sweep, in order, strip by strip of columns; empties the log. */
  flush(): void {
    const { a, ld, len, rot, sweeps, count, scratch } = this;
    if (scratch && a.buffer === scratch.kernels.buffer) {
      const simdCols = len - (len % rotStrip);
      this.flushSimd(scratch, simdCols);
      for (let q = 0; q < count; q++) rotationChain(a, ld, sweeps[3 * q], sweeps[3 * q + 1], rot, sweeps[3 * q + 2], simdCols, len);
      this.used = 0;
      this.count = 0;
      return;
    }
    for (let c0 = 0; c0 < len; c0 += RotationLog.strip) {
      const c1 = Math.min(len, c0 + RotationLog.strip);
      for (let q = 0; q < count; q++) rotationChain(a, ld, sweeps[3 * q], sweeps[3 * q + 1], rot, sweeps[3 * q + 2], c0, c1);
    }
    this.used = 0;
    this.count = 0;
  }

  /** The sweeps on columns [0, cols) through the SIMD kernel, in batches that fit the scratch (sweeps are contiguous in `rot`). */
  private flushSimd(scratch: RotationScratch, cols: number): void {
    const { a, ld, rot, sweeps, count } = this;
    const maxSweeps = Math.floor(scratch.sweeps.length / 3);
    let q0 = 0;
    while (q0 < count && cols > 0) {
      let q1 = q0;
      let used = 0;
      while (q1 < count && q1 - q0 < maxSweeps) {
        const need = 2 * (sweeps[3 * q1 + 1] - 1 - sweeps[3 * q1]);
        if (used + need > scratch.rot.length) break;
        scratch.sweeps[3 * (q1 - q0)] = sweeps[3 * q1];
        scratch.sweeps[3 * (q1 - q0) + 1] = sweeps[3 * q1 + 1];
        scratch.sweeps[3 * (q1 - q0) + 2] = used;
        used += need;
        q1++;
      }
      if (q1 === q0) throw new C2iError("INTERNAL", `bidiagonal QR: a sweep of ${sweeps[3 * q0 + 1] - sweeps[3 * q0] - 1} rotations does not fit the ${scratch.rot.length}-double rotation scratch`);
      const from = sweeps[3 * q0 + 2];
      scratch.rot.set(rot.subarray(from, from + used));
      scratch.kernels.rot(a.byteOffset, ld * 8, cols * 8, scratch.sweeps.byteOffset, q1 - q0, scratch.rot.byteOffset);
      q0 = q1;
    }
  }

  /** Doubles of `rot` held before a flush: 2²¹, i.e. 2²⁰ rotations in 16 MB. */
  static readonly capacity = 1 << 21;
  /** Columns per strip: 8 columns (one cache line) of n rows stay in the L2 cache for n up to a few thousand. */
  static readonly strip = 8;
}

/**
 * Applies one sweep's rotations (k, k+1), (k+1, k+2), … (p−2, p−1), in that order, to columns
 * [c0, c1) of rows k … p−1 of `a` (LAPACK dlasr, variable pivot, forward). Eight (then four) columns
 * at a time down the rows, the row being carried stays in registers: one load and one store per element.
 */
function rotationChain(a: Float64Array, ld: number, k: number, p: number, rot: Float64Array, at: number, c0: number, c1: number): void {
  const end = at + 2 * (p - 1 - k);
  let col = c0;
  for (; col + 8 <= c1; col += 8) {
    let o = k * ld + col;
    let x0 = a[o], x1 = a[o + 1], x2 = a[o + 2], x3 = a[o + 3], x4 = a[o + 4], x5 = a[o + 5], x6 = a[o + 6], x7 = a[o + 7];
    for (let r = at; r < end; r += 2) {
      const cr = rot[r];
      const sr = rot[r + 1];
      const on = o + ld;
      let y = a[on];
      a[o] = cr * x0 + sr * y;
      x0 = cr * y - sr * x0;
      y = a[on + 1];
      a[o + 1] = cr * x1 + sr * y;
      x1 = cr * y - sr * x1;
      y = a[on + 2];
      a[o + 2] = cr * x2 + sr * y;
      x2 = cr * y - sr * x2;
      y = a[on + 3];
      a[o + 3] = cr * x3 + sr * y;
      x3 = cr * y - sr * x3;
      y = a[on + 4];
      a[o + 4] = cr * x4 + sr * y;
      x4 = cr * y - sr * x4;
      y = a[on + 5];
      a[o + 5] = cr * x5 + sr * y;
      x5 = cr * y - sr * x5;
      y = a[on + 6];
      a[o + 6] = cr * x6 + sr * y;
      x6 = cr * y - sr * x6;
      y = a[on + 7];
      a[o + 7] = cr * x7 + sr * y;
      x7 = cr * y - sr * x7;
      o = on;
    }
    a[o] = x0;
    a[o + 1] = x1;
    a[o + 2] = x2;
    a[o + 3] = x3;
    a[o + 4] = x4;
    a[o + 5] = x5;
    a[o + 6] = x6;
    a[o + 7] = x7;
  }
  for (; col + 4 <= c1; col += 4) {
    let o = k * ld + col;
    let x0 = a[o], x1 = a[o + 1], x2 = a[o + 2], x3 = a[o + 3];
    for (let r = at; r < end; r += 2) {
      const cr = rot[r];
      const sr = rot[r + 1];
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
  for (; col < c1; col++) {
    let o = k * ld + col;
    let x = a[o];
    for (let r = at; r < end; r += 2) {
      const on = o + ld;
      const y = a[on];
      a[o] = rot[r] * x + rot[r + 1] * y;
      x = rot[r] * y - rot[r + 1] * x;
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
