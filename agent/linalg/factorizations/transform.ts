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

/** W̃ = D·W·S. */
export function forwardTransform(w: Matrix, t: MatrixTransform): Matrix {
  check(w, t, "forwardTransform");
  if (isIdentityTransform(t)) return w;
  const s = scaled(w, t.rowScale, t.colScale, 1);
  return t.colFactor ? multiplyRightLower(s, t.colFactor) : s;
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
