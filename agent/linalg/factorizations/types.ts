// The factorization seam: which transform the block SVD runs on (svd | fwsvd | asvd) and how rows are grouped.
import type { RowRange } from "../blocks.ts";
import type { Matrix } from "../matrix.ts";

/** Which weighting the truncated SVD minimises its error in (seed 003, METHOD.md "Related factorizations"). */
export const FactorizationName = {
  /** plain SVD of W */
  svd: "svd",
  /** Fisher-weighted: SVD of D·W with D = diag(√(row sums of G²)) (Hsu et al. 2022) */
  fwsvd: "fwsvd",
  /** activation-aware: SVD of W·S with S from the inputs' statistics (Yuan et al. 2023) */
  asvd: "asvd",
} as const;
export type FactorizationName = (typeof FactorizationName)[keyof typeof FactorizationName];

/** How W's rows are split into the K parts that get one SVD each. */
export const ClusteringName = {
  /** K contiguous row blocks (the paper's heuristic) */
  blocks: "blocks",
  /** K-subspaces projective clustering (the paper's "optimal clustering", Table 5) */
  ksubspaces: "ksubspaces",
} as const;
export type ClusteringName = (typeof ClusteringName)[keyof typeof ClusteringName];

export function isFactorizationName(x: unknown): x is FactorizationName {
  return typeof x === "string" && Object.hasOwn(FactorizationName, x);
}

export function isClusteringName(x: unknown): x is ClusteringName {
  return typeof x === "string" && Object.hasOwn(ClusteringName, x);
}

/**
 * W̃ = D · W · S: D = diag(rowScale) on the output side, S = diag(colScale) or the lower-triangular
 * colFactor (n×n) on the input side. Absent parts are the identity. Truncation maps back with D⁻¹ … S⁻¹.
 */
export interface MatrixTransform {
  rowScale?: Float64Array;
  colScale?: Float64Array;
  /** Lower-triangular L with L·Lᵀ = XXᵀ + damping (ASVD's Cholesky variant). */
  colFactor?: Matrix;
}

/**
 * Rows regrouped so that each part is contiguous: position p of the regrouped matrix holds original row
 * `order[p]`; `ranges` are the parts in that order. Contiguous blocks have order = identity.
 */
export interface RowGrouping {
  order: Int32Array;
  ranges: RowRange[];
  /** Part of each original row (length rows). */
  assignment: Int32Array;
}
