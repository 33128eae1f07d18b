// Block-first multi-subspace factorization (METHOD.md): K contiguous row blocks, one SVD each.
import { C2iError } from "../../common/errors.ts";
import { type Matrix, rowSlice } from "./matrix.ts";
import type { Svd, SvdResult } from "./svd/types.ts";

export { scoreMatrix, sigmaGradients } from "./gradients.ts";
export { keptRank, truncateBlocks } from "./truncate.ts";

export interface RowRange {
  start: number;
  end: number;
}

/** Splits `rows` into `blocks` contiguous ranges whose sizes differ by at most one (larger first). */
export function blockRanges(rows: number, blocks: number): RowRange[] {
  if (!Number.isInteger(blocks) || blocks < 1) {
    throw new C2iError("INVALID_ARGUMENT", `block count ${blocks} must be a positive integer`);
  }
  if (blocks > rows) {
    throw new C2iError("INVALID_ARGUMENT", `cannot split ${rows} rows into ${blocks} non-empty blocks; use at most ${rows} blocks`);
  }
  const base = Math.floor(rows / blocks);
  const extra = rows % blocks;
  const out: RowRange[] = [];
  let start = 0;
  for (let b = 0; b < blocks; b++) {
    const end = start + base + (b < extra ? 1 : 0);
    out.push({ start, end });
    start = end;
  }
  return out;
}

/** One SVD per block; a single factorization serves every truncation rate and the scores. */
export interface BlockFactors {
  blocks: number;
  rows: number;
  cols: number;
  parts: { start: number; end: number; svd: SvdResult }[];
}

/** Factors W block by block on the calling thread (SvdWorkers.factorBlocksMany runs them in parallel). */
export function factorBlocks(w: Matrix, blocks: number, svd: Svd): BlockFactors {
  const parts = blockRanges(w.rows, blocks).map(({ start, end }) => ({ start, end, svd: svd.decompose(rowSlice(w, start, end)) }));
  return { blocks, rows: w.rows, cols: w.cols, parts };
}
