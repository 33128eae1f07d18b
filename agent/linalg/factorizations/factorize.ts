// One entry point for every factorization: transform W, group rows, one SVD per part; truncate and map back.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { type BlockFactors, sigmaGradients, truncateBlocks } from "../blocks.ts";
import { reconstructRows } from "../truncate.ts";
import { type Matrix, rowSlice } from "../matrix.ts";
import type { Svd } from "../svd/types.ts";
import { blocksGrouping, groupingFromAssignment, permuteRows, unpermuteRows } from "./grouping.ts";
import { kSubspaces, type KSubspacesOptions, type KSubspacesResult } from "./ksubspaces.ts";
import { forwardTransform, gradientTransform, inverseTransform, isIdentityTransform } from "./transform.ts";
import { ClusteringName, type MatrixTransform, type RowGrouping } from "./types.ts";

/** W̃ = P·D·W·S factored part by part: what every rate's truncation and the σ-gradients read. */
export interface FactoredMatrix {
  /** Parts of the regrouped, transformed matrix (start/end index the regrouped rows). */
  factors: BlockFactors;
  transform: MatrixTransform;
  grouping: RowGrouping;
  /** Present when K-subspaces chose the grouping. */
  clustering?: KSubspacesResult;
}

export interface FactorOptions {
  /** Part count K. */
  blocks: number;
  /** @default identity (plain SVD) */
  transform?: MatrixTransform;
  /** @default "blocks" */
  clustering?: ClusteringName;
  /** K-subspaces settings (parts = blocks). */
  kSubspaces?: Omit<KSubspacesOptions, "parts">;
  /** A row assignment to reuse (from a recipe): skips the clustering. */
  assignment?: ArrayLike<number>;
  /**
   * Decomposes each part instead of `svd` (which K-subspaces clustering still uses). A `SmallestSvd` gives each part
   * only its trailing triplets — all σ-gradients and scores read, ~5× faster on 1B shapes — and such factors are
   * refused by every truncation. @default svd
   */
  partSvd?: Pick<Svd, "decompose">;
}

export function factorMatrix(w: Matrix, svd: Svd, options: FactorOptions): FactoredMatrix {
  const transform = options.transform ?? {};
  const wt = forwardTransform(w, transform);
  let grouping: RowGrouping;
  let clustering: KSubspacesResult | undefined;
  if (options.assignment !== undefined) {
    if (options.assignment.length !== w.rows) {
      throw new C2iError(ErrorCode.SHAPE_MISMATCH, `row assignment has ${options.assignment.length} entries for ${w.rows} rows`);
    }
    grouping = groupingFromAssignment(options.assignment, options.blocks);
  } else if ((options.clustering ?? ClusteringName.blocks) === ClusteringName.ksubspaces) {
    clustering = kSubspaces(wt, svd, { ...options.kSubspaces, parts: options.blocks });
    grouping = groupingFromAssignment(clustering.assignment, options.blocks, "K-subspaces assignment");
  } else {
    grouping = blocksGrouping(w.rows, options.blocks);
  }
  const regrouped = permuteRows(wt, grouping);
  const partSvd = options.partSvd ?? svd;
  const parts = grouping.ranges.map(({ start, end }) => ({ start, end, svd: partSvd.decompose(rowSlice(regrouped, start, end)) }));
  return { factors: { blocks: options.blocks, rows: w.rows, cols: w.cols, parts }, transform, grouping, ...(clustering ? { clustering } : {}) };
}

/** g per part (Lemma 1 on W̃'s parts): the gradient is carried into W̃'s space and regrouped the same way. */
export function factoredSigmaGradients(f: FactoredMatrix, g: Matrix, smallest?: number): Float64Array[] {
  const gt = permuteRows(gradientTransform(g, f.transform), f.grouping);
  return sigmaGradients(f.factors, gt, smallest === undefined ? {} : { smallest });
}

/** Float64 Ŵ̃ = stack(U_b[:, :k_b] Σ_b V_bᵀ[:k_b]) in regrouped order. */
function reconstruct(f: BlockFactors, rate: number): { w: Matrix; keptRanks: number[] } {
  const out = new Float64Array(f.rows * f.cols);
  const keptRanks = reconstructRows(f, rate, (i, row) => out.set(row, i * f.cols));
  return { w: { rows: f.rows, cols: f.cols, data: out }, keptRanks };
}

/**
 * Ŵ = D⁻¹·Pᵀ·trunc(W̃)·S⁻¹ as float32 in W's row order. With the identity transform this is exactly
 * `truncateBlocks` (regrouped back), so `svd` + `blocks` gives the bytes the plain path gives.
 */
export function truncateFactored(f: FactoredMatrix, rate: number): { weight: Float32Array; keptRanks: number[] } {
  if (isIdentityTransform(f.transform)) {
    const { weight, keptRanks } = truncateBlocks(f.factors, rate);
    return { weight: unpermuteRows(weight, f.factors.cols, f.grouping), keptRanks };
  }
  const { w, keptRanks } = reconstruct(f.factors, rate);
  const back = inverseTransform({ rows: w.rows, cols: w.cols, data: unpermuteRows(w.data, w.cols, f.grouping) }, f.transform);
  return { weight: Float32Array.from(back.data), keptRanks };
}

/** Numbers stored as low-rank factors (U_b·Σ_b and V_bᵀ per part): Σ_b k_b·(rows_b + cols). */
export function lowRankParameters(f: FactoredMatrix, keptRanks: readonly number[]): number {
  return f.factors.parts.reduce((sum, p, b) => sum + keptRanks[b]! * (p.end - p.start + f.factors.cols), 0);
}
