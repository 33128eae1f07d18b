// The SVD seam: every implementation (TypeScript reference, native LAPACK) returns the same economy shape.
import type { Matrix } from "../matrix.ts";

/** Economy SVD a = u · diag(s) · vt with r = min(rows, cols). */
export interface SvdResult {
  /** rows × r, orthonormal columns */
  u: Matrix;
  /** r singular values, descending, ≥ 0 */
  s: Float64Array;
  /** r × cols, orthonormal rows */
  vt: Matrix;
  /**
   * Present when only the trailing triplets were computed (`SmallestSvd`): then r = s.length is the count held
   * and the factors are the smallest-r SVD of the matrix, `rank` = min(rows, cols) its full count. Such a result
   * serves σ-gradients and scores, never a truncation (`reconstructRows` refuses it).
   */
  partial?: PartialSvd;
}

/** What a trailing-only SVD holds, and how it was obtained. */
export interface PartialSvd {
  /** min(rows, cols) of the decomposed matrix: its number of singular values. */
  rank: number;
  /** "gram" for the short side's Gram eigenproblem; "dgesdd" when its pairs failed the residual check and a full SVD was sliced. */
  method: "gram" | "dgesdd";
}

export const SvdName = {
  lapack: "lapack-dgesdd",
  typescript: "typescript",
} as const;
export type SvdName = (typeof SvdName)[keyof typeof SvdName];

export interface Svd {
  readonly name: SvdName;
  /** Float64 economy SVD with the canonical signs of `signs.ts`; never modifies `a`. */
  decompose(a: Matrix): SvdResult;
}

/** Which implementation to use; the CLI edge maps C2I_SVD onto this. */
export type SvdPreference = "auto" | "lapack" | "typescript";
