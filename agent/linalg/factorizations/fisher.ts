// FWSVD's row weights: Î_i = Σ_j (∂L/∂W_ij)², the Fisher information summed over each output row (Hsu et al. 2022).
import { C2iError, ErrorCode } from "../../../common/errors.ts";

export interface FisherOptions {
  /**
   * Rows whose Fisher sum is below `floor` × the mean row sum get that floor instead, so that D stays
   * invertible (a row with zero gradient would otherwise be divided by zero when mapping back). @default 1e-6
   */
  floor?: number;
}

/**
 * D = diag(√Î) for a rows×cols matrix, from squared gradients accumulated in `squares` (row-major, the
 * shape of W). FWSVD minimises ‖√Î ⊙ (W − Ŵ)‖ approximated by ‖D·(W − Ŵ)‖: we scale rows by the square
 * root of the row sums, as in the FWSVD paper (seed 003 writes Î·W; the √ makes the weighted norm the
 * Fisher-weighted squared error).
 */
export function fisherRowScale(squares: ArrayLike<number>, rows: number, cols: number, options: FisherOptions = {}): Float64Array {
  if (squares.length !== rows * cols) {
    throw new C2iError(ErrorCode.SHAPE_MISMATCH, `fisherRowScale: ${squares.length} squared gradients for a ${rows}×${cols} matrix`);
  }
  const floor = options.floor ?? 1e-6;
  const sums = new Float64Array(rows);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += squares[i * cols + j]!;
    if (!Number.isFinite(s) || s < 0) throw new C2iError(ErrorCode.NUMERIC, `fisherRowScale: row ${i} has a non-finite or negative Fisher sum ${s}`);
    sums[i] = s;
    total += s;
  }
  if (!(total > 0)) {
    throw new C2iError(ErrorCode.NUMERIC, `fisherRowScale: every gradient of the ${rows}×${cols} matrix is zero; the samples give FWSVD no weights (use svd)`);
  }
  const least = (floor * total) / rows;
  for (let i = 0; i < rows; i++) sums[i] = Math.sqrt(Math.max(sums[i]!, least));
  return sums;
}

/** Squares of a gradient, the Fisher estimate from one (mean) gradient: Î ≈ G ⊙ G. */
export function squaredGradient(g: ArrayLike<number>): Float64Array {
  const out = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i]! * g[i]!;
  return out;
}
