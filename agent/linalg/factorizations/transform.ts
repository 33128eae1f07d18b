// W̃ = D·W·S and its inverse, and the gradient seen from W̃ (∂L/∂W̃ = D⁻¹·G·S⁻ᵀ, chain rule through W = D⁻¹W̃S⁻¹).
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { Matrix } from "../matrix.ts";
import { multiplyRightLower, solveRightLower, solveRightLowerTransposed } from "./cholesky.ts";
import type { MatrixTransform } from "./types.ts";

export function isIdentityTransform(t: MatrixTransform): boolean {
  return t.rowScale === undefined && t.colScale === undefined && t.colFactor === undefined;
}

function check(m: Matrix, t: MatrixTransform, what: string): void {
  if (t.colScale && t.colFactor) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${what}: a transform has either a column scale or a column factor, not both`);
  if (t.rowScale && t.rowScale.length !== m.rows) {
    throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${what}: ${t.rowScale.length} row weights for a matrix of ${m.rows} rows`);
  }
  if (t.colScale && t.colScale.length !== m.cols) {
    throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${what}: ${t.colScale.length} column weights for a matrix of ${m.cols} columns`);
  }
  if (t.colFactor && (t.colFactor.rows !== m.cols || t.colFactor.cols !== m.cols)) {
    throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${what}: a ${t.colFactor.rows}×${t.colFactor.cols} column factor for ${m.cols} columns`);
  }
}

/** Scales rows by r[i]^power and columns by c[j]^power into a new matrix. */
function scaled(m: Matrix, rows: Float64Array | undefined, cols: Float64Array | undefined, power: 1 | -1): Matrix {
  const n = m.cols;
  const out = Float64Array.from(m.data);
  for (let i = 0; i < m.rows; i++) {
    const ri = rows ? (power === 1 ? rows[i]! : 1 / rows[i]!) : 1;
    const o = i * n;
    if (cols) {
      for (let j = 0; j < n; j++) out[o + j] = out[o + j]! * ri * (power === 1 ? cols[j]! : 1 / cols[j]!);
    } else if (ri !== 1) {
      for (let j = 0; j < n; j++) out[o + j] = out[o + j]! * ri;
    }
  }
  return { rows: m.rows, cols: n, data: out };
}

/** Largest |x| (NaN when any entry is NaN). */
function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Entries up to √(float64 max) keep the SVD's sums of squares finite. */
const MAX_WEIGHTED = 1e150;

function extremes(v: Float64Array | undefined): string {
  if (!v || v.length === 0) return "none";
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  return `${lo} … ${hi}`;
}

/**
 * W̃ = D·W·S. Weights that take a finite W beyond 1e150 (where the SVD's sums of squares overflow) are refused
 * here: the SVD would otherwise fail on the infinities with a misleading NUMERIC error.
 */
export function forwardTransform(w: Matrix, t: MatrixTransform): Matrix {
  check(w, t, "forwardTransform");
  if (isIdentityTransform(t)) return w;
  const s = scaled(w, t.rowScale, t.colScale, 1);
  const out = t.colFactor ? multiplyRightLower(s, t.colFactor) : s;
  if (!(maxAbs(out.data) <= MAX_WEIGHTED) && maxAbs(w.data) <= MAX_WEIGHTED) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `forwardTransform: the weights (rows ${extremes(t.rowScale)}, columns ${extremes(t.colScale)}) take entries of the ${w.rows}×${w.cols} matrix beyond ${MAX_WEIGHTED}, out of the SVD's range; use weights nearer 1`,
    );
  }
  return out;
}

/** W = D⁻¹·W̃·S⁻¹ (the map back after truncating W̃). */
export function inverseTransform(wt: Matrix, t: MatrixTransform): Matrix {
  check(wt, t, "inverseTransform");
  if (isIdentityTransform(t)) return wt;
  const s = scaled(wt, t.rowScale, t.colScale, -1);
  return t.colFactor ? solveRightLower(s, t.colFactor) : s;
}

/** ∂L/∂W̃ = D⁻¹·G·S⁻ᵀ: σ-gradients of W̃'s singular values (Lemma 1 applied to W̃). */
export function gradientTransform(g: Matrix, t: MatrixTransform): Matrix {
  check(g, t, "gradientTransform");
  if (isIdentityTransform(t)) return g;
  const s = scaled(g, t.rowScale, t.colScale, -1);
  return t.colFactor ? solveRightLowerTransposed(s, t.colFactor) : s;
}
