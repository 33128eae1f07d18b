// Cholesky factor of a damped Gram matrix and the triangular solves ASVD's Cholesky variant maps back with.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { Matrix } from "../matrix.ts";

/**
 * Lower-triangular L with L·Lᵀ = A + λ·I, λ = damping · mean(diag A) (so the damping is scale-free).
 * A is symmetric n×n (only its lower triangle is read). Float64 throughout.
 */
export function dampedCholesky(a: Matrix, damping: number, what = "Gram matrix"): Matrix {
  const n = a.rows;
  if (a.cols !== n) throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${what}: Cholesky needs a square matrix, got ${a.rows}×${a.cols}`);
  if (!(damping >= 0)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${what}: damping ${damping} must be ≥ 0`);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a.data[i * n + i]!;
  const lambda = n === 0 ? 0 : (damping * trace) / n;
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a.data[j * n + j]! + lambda;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0)) {
      throw new C2iError(
        ErrorCode.NUMERIC,
        `${what}: not positive definite at column ${j} (pivot ${d}); raise the ASVD damping (now ${damping}) or use more calibration samples`,
      );
    }
    const djj = Math.sqrt(d);
    l[j * n + j] = djj;
    for (let i = j + 1; i < n; i++) {
      let s = a.data[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / djj;
    }
  }
  return { rows: n, cols: n, data: l };
}

/** Each row r of `b` (m×n) replaced by x with x·L = r (L lower-triangular n×n): back-substitution. */
export function solveRightLower(b: Matrix, l: Matrix): Matrix {
  const n = l.rows;
  if (b.cols !== n) throw new C2iError(ErrorCode.SHAPE_MISMATCH, `solveRightLower: ${b.rows}×${b.cols} against a ${n}×${n} factor`);
  const out = new Float64Array(b.data.length);
  for (let r = 0; r < b.rows; r++) {
    const o = r * n;
    for (let j = n - 1; j >= 0; j--) {
      let s = b.data[o + j]!;
      for (let i = j + 1; i < n; i++) s -= out[o + i]! * l.data[i * n + j]!;
      out[o + j] = s / l.data[j * n + j]!;
    }
  }
  return { rows: b.rows, cols: n, data: out };
}

/** Each row r of `b` replaced by x with x·Lᵀ = r, i.e. b·L⁻ᵀ: forward substitution (maps gradients into W·L space). */
export function solveRightLowerTransposed(b: Matrix, l: Matrix): Matrix {
  const n = l.rows;
  if (b.cols !== n) throw new C2iError(ErrorCode.SHAPE_MISMATCH, `solveRightLowerTransposed: ${b.rows}×${b.cols} against a ${n}×${n} factor`);
  const out = new Float64Array(b.data.length);
  for (let r = 0; r < b.rows; r++) {
    const o = r * n;
    for (let j = 0; j < n; j++) {
      let s = b.data[o + j]!;
      const lj = j * n;
      for (let i = 0; i < j; i++) s -= out[o + i]! * l.data[lj + i]!;
      out[o + j] = s / l.data[lj + j]!;
    }
  }
  return { rows: b.rows, cols: n, data: out };
}

/** b·L for lower-triangular L. */
export function multiplyRightLower(b: Matrix, l: Matrix): Matrix {
  const n = l.rows;
  if (b.cols !== n) throw new C2iError(ErrorCode.SHAPE_MISMATCH, `multiplyRightLower: ${b.rows}×${b.cols} against a ${n}×${n} factor`);
  const out = new Float64Array(b.data.length);
  for (let r = 0; r < b.rows; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) {
      const x = b.data[o + i]!;
      if (x === 0) continue;
      const li = i * n;
      for (let j = 0; j <= i; j++) out[o + j]! += x * l.data[li + j]!;
    }
  }
  return { rows: b.rows, cols: n, data: out };
}
