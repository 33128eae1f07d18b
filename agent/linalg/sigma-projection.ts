// σ-gradients without ∂L/∂W: uᵀ·G̃·v = Σₜ (ũᵀ dyₜ)(xₜᵀ ṽ), summed from the tokens' projections onto probe vectors.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { OpenBlas } from "../compute/blas/library.ts";
import { solveRightLower } from "./factorizations/cholesky.ts";
import type { FactoredMatrix } from "./factorizations/factorize.ts";
import { assertCoversSmallest } from "./svd/partial.ts";

/**
 * One part's probes. With G = DYᵀ·X and G̃ = P·D⁻¹·G·S⁻ᵀ (`factoredSigmaGradients`: gradientTransform, then the
 * grouping's rows), a singular pair (u, v) of the part gives uᵀ·G̃_b·v = ũᵀ·G·ṽ with ũ = D⁻¹u on the part's rows
 * of W (zero elsewhere) and ṽ = S⁻ᵀv: v/c for a column scale, L⁻ᵀv for a column factor L.
 */
export interface SigmaProbePart {
  /** W's rows of the part in the part's order (a grouping keeps W's order inside a part). */
  rows: Int32Array;
  /** rows[0] when the rows are consecutive (contiguous blocks): DY's columns are then read in place, not gathered. */
  rowStart?: number;
  /** r, the part's singular value count: the length of its σ-gradient vector (the count held, for trailing-only factors). */
  rank: number;
  /** r_s = min(smallest, r): the part's trailing singular pairs, whose gradients fill entries r − r_s … r − 1. */
  count: number;
  /** The part's first column in `SigmaProbes.v` and in the accumulated sums. */
  column: number;
  /** Ũ_b, rows.length × count, row-major float32: column k is ũ of singular pair r − count + k. */
  u: Float32Array;
}

export interface SigmaProbes {
  /** m, W's rows (output features): the width of dy. */
  rows: number;
  /** n, W's columns (input features): the width of x. */
  cols: number;
  /** Σ count over the parts. */
  width: number;
  /** [Ṽ_1 … Ṽ_K], cols × width, row-major float32: the right-hand side of the one GEMM X·Ṽ. */
  v: Float32Array;
  parts: SigmaProbePart[];
}

/** Ũ and Ṽ of every part's `smallest` trailing singular pairs (all of them when a part has fewer). */
export function sigmaProbes(f: FactoredMatrix, smallest: number): SigmaProbes {
  if (!Number.isInteger(smallest) || smallest < 1) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `smallest = ${smallest} must be a positive integer (default 20)`);
  }
  const { rows: m, cols: n } = f.factors;
  const { rowScale, colScale, colFactor } = f.transform;
  f.factors.parts.forEach((p, b) => assertCoversSmallest(p.svd, smallest, `part ${b}`));
  const counts = f.factors.parts.map((p) => Math.min(smallest, p.svd.s.length));
  const width = counts.reduce((a, b) => a + b, 0);
  const v = new Float32Array(n * width);
  let column = 0;
  const parts = f.factors.parts.map(({ start, end, svd }, b): SigmaProbePart => {
    const rank = svd.s.length;
    const count = counts[b]!;
    const from = rank - count;
    const rows = f.grouping.order.slice(start, end);
    const u = new Float32Array(rows.length * count);
    for (let i = 0; i < rows.length; i++) {
      const scale = rowScale ? 1 / rowScale[rows[i]!]! : 1;
      for (let k = 0; k < count; k++) u[i * count + k] = svd.u.data[i * rank + from + k]! * scale;
    }
    // The trailing rows of Vᵀ become ṽᵀ: divided by the column scale, or ṽᵀ·L = vᵀ solved by back-substitution.
    let vt: Float64Array = svd.vt.data.slice(from * n, rank * n);
    if (colScale) for (let i = 0; i < vt.length; i++) vt[i] = vt[i]! / colScale[i % n]!;
    if (colFactor) vt = solveRightLower({ rows: count, cols: n, data: vt }, colFactor).data;
    for (let k = 0; k < count; k++) for (let j = 0; j < n; j++) v[j * width + column + k] = vt[k * n + j]!;
    const part: SigmaProbePart = { rows, rank, count, column, u, ...(isConsecutive(rows) ? { rowStart: rows[0]! } : {}) };
    column += count;
    return part;
  });
  return { rows: m, cols: n, width, v, parts };
}

function isConsecutive(rows: Int32Array): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i] !== rows[0]! + i) return false;
  return true;
}

/** The GEMM the projections run on: `OpenBlas.sgemm` (row-major cblas_sgemm) or any stand-in with its signature. */
export type Gemm = Pick<OpenBlas, "sgemm">;

/**
 * Sums Σₜ (ũᵀ dyₜ)(xₜᵀ ṽ) over the micro-batches of a gradient pass: per micro-batch one GEMM P = X·[Ṽ_1 … Ṽ_K]
 * (T × width) and one per part Q_b = DY[:, rows_b]·Ũ_b into the same columns, then Σₜ P⊙Q in float64. Keeps
 * `width` sums instead of the m×n gradient. Padding tokens have dy = 0, so their Q rows and products are zero.
 */
export class SigmaProjection {
  private readonly sums: Float64Array;
  private readonly gatherRows: number;
  /** Scratch reused across calls, grown to the largest T seen: P, Q (T × width each), gathered DY columns. */
  private p = new Float32Array(0);
  private q = new Float32Array(0);
  private gathered = new Float32Array(0);

  constructor(
    private readonly probes: SigmaProbes,
    private readonly gemm: Gemm,
  ) {
    this.sums = new Float64Array(probes.width);
    this.gatherRows = Math.max(0, ...probes.parts.map((p) => (p.rowStart === undefined ? p.rows.length : 0)));
  }

  /** x: [tokens, n] and dy: [tokens, m], row-major; both are read during the call only (they may be wasm heap views). */
  add(x: Float32Array, dy: Float32Array, tokens: number): void {
    const { rows: m, cols: n, width, v, parts } = this.probes;
    if (!Number.isInteger(tokens) || tokens < 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `SigmaProjection.add: tokens = ${tokens} must be a non-negative integer`);
    if (x.length !== tokens * n || dy.length !== tokens * m) {
      throw new C2iError(
        ErrorCode.SHAPE_MISMATCH,
        `SigmaProjection.add: x holds ${x.length} and dy ${dy.length} numbers for ${tokens} tokens of a ${m}×${n} matrix (expected ${tokens * n} and ${tokens * m}); pass [tokens, in] inputs and [tokens, out] output gradients`,
      );
    }
    if (tokens === 0 || width === 0) return;
    this.reserve(tokens);
    const p = this.p.subarray(0, tokens * width);
    const q = this.q.subarray(0, tokens * width);
    this.gemm.sgemm(false, false, tokens, width, n, 1, x, n, v, width, 0, p, width);
    for (const part of parts) {
      const k = part.rows.length;
      const out = q.subarray(part.column);
      if (part.rowStart !== undefined) {
        this.gemm.sgemm(false, false, tokens, part.count, k, 1, dy.subarray(part.rowStart), m, part.u, part.count, 0, out, width);
      } else {
        this.gemm.sgemm(false, false, tokens, part.count, k, 1, this.gather(dy, tokens, part.rows), k, part.u, part.count, 0, out, width);
      }
    }
    // float32 × float32 is exact in float64, so only the T-term sums round.
    const sums = this.sums;
    for (let t = 0; t < tokens; t++) {
      const o = t * width;
      for (let c = 0; c < width; c++) sums[c] += p[o + c]! * q[o + c]!;
    }
  }

  /** Per part, in the layout of `sigmaGradients` with `smallest`: length r, NaN before the trailing `count` entries. */
  read(): Float64Array[] {
    return this.probes.parts.map(({ rank, count, column }) => {
      const out = new Float64Array(rank).fill(Number.NaN, 0, rank - count);
      out.set(this.sums.subarray(column, column + count), rank - count);
      return out;
    });
  }

  private reserve(tokens: number): void {
    const size = tokens * this.probes.width;
    if (this.p.length >= size) return;
    this.p = new Float32Array(size);
    this.q = new Float32Array(size);
    this.gathered = new Float32Array(tokens * this.gatherRows);
  }

  /** DY[:, rows] as a tokens × rows.length row-major matrix in the scratch buffer. */
  private gather(dy: Float32Array, tokens: number, rows: Int32Array): Float32Array {
    const m = this.probes.rows;
    const k = rows.length;
    const g = this.gathered;
    for (let t = 0; t < tokens; t++) {
      const src = t * m;
      const dst = t * k;
      for (let i = 0; i < k; i++) g[dst + i] = dy[src + rows[i]!]!;
    }
    return g;
  }
}
