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
