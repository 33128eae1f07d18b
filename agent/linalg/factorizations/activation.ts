// ASVD's input statistics: per-feature mean |x| (scaling variant) and the Gram matrix XXᵀ (Cholesky variant).
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { Matrix } from "../matrix.ts";
import { dampedCholesky } from "./cholesky.ts";
import type { MatrixTransform } from "./types.ts";

/** Sums over the calibration tokens of one matrix's inputs x ∈ ℝⁿ (n = the matrix's columns). */
export interface InputStatistics {
  cols: number;
  /** Tokens seen. */
  count: number;
  /** Σ |x_j| per input feature. */
  absSum: Float64Array;
  /** Σ x xᵀ (n×n, row-major, lower triangle only: it is symmetric), only when requested (it costs n² memory). */
  gram?: Float64Array;
}

export function emptyInputStatistics(cols: number, withGram: boolean): InputStatistics {
  return { cols, count: 0, absSum: new Float64Array(cols), ...(withGram ? { gram: new Float64Array(cols * cols) } : {}) };
}

/** Adds `tokens` input rows (row-major tokens×cols, float32 as the engine computes them). */
export function accumulateInputs(stats: InputStatistics, x: Float32Array, tokens: number): void {
  const n = stats.cols;
  if (x.length !== tokens * n) throw new C2iError(ErrorCode.SHAPE_MISMATCH, `accumulateInputs: ${x.length} values for ${tokens} tokens of ${n} features`);
  for (let t = 0; t < tokens; t++) {
    const o = t * n;
    for (let j = 0; j < n; j++) stats.absSum[j]! += Math.abs(x[o + j]!);
    if (stats.gram) {
      const g = stats.gram;
      for (let i = 0; i < n; i++) {
        const xi = x[o + i]!;
        if (xi === 0) continue;
        const gi = i * n;
        for (let j = 0; j <= i; j++) g[gi + j]! += xi * x[o + j]!;
      }
    }
  }
  stats.count += tokens;
}

export const AsvdMethod = {
  /** S = diag(mean|x_j|^α) (ASVD paper, scaling variant) */
  scale: "scale",
  /** S = L, L·Lᵀ = XXᵀ + damping (seed 003's ASVD: argmin ‖ΔY‖_F) */
  cholesky: "cholesky",
} as const;
export type AsvdMethod = (typeof AsvdMethod)[keyof typeof AsvdMethod];

export interface AsvdOptions {
  /** @default "scale" */
  method?: AsvdMethod;
  /** Exponent α of the scaling variant. @default 0.5 */
  alpha?: number;
  /** Cholesky variant: λ = damping · mean(diag XXᵀ) added to the diagonal. @default 0.01 */
  damping?: number;
  /** Scaling variant: features whose mean |x| is below floor × the mean over features get the floor. @default 1e-6 */
  floor?: number;
}

/** The column side of ASVD's transform from a matrix's input statistics. */
export function asvdTransform(stats: InputStatistics, options: AsvdOptions = {}): MatrixTransform {
  if (stats.count === 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "asvdTransform: no calibration tokens were seen; pass samples that reach this matrix");
  const method = options.method ?? AsvdMethod.scale;
  const n = stats.cols;
  if (method === AsvdMethod.cholesky) {
    if (!stats.gram) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "asvdTransform: the Cholesky variant needs the Gram matrix; collect statistics with withGram");
    // stats.gram holds the lower triangle only, which is all dampedCholesky reads.
    const gram: Matrix = { rows: n, cols: n, data: stats.gram };
    return { colFactor: dampedCholesky(gram, options.damping ?? 0.01, `XXᵀ of ${stats.count} calibration tokens`) };
  }
  const alpha = options.alpha ?? 0.5;
  const floor = options.floor ?? 1e-6;
  const mean = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    mean[j] = stats.absSum[j]! / stats.count;
    total += mean[j]!;
  }
  if (!(total > 0)) throw new C2iError(ErrorCode.NUMERIC, "asvdTransform: every calibration input is zero; ASVD has no statistics to weight by (use svd)");
  const least = (floor * total) / n;
  const colScale = new Float64Array(n);
  for (let j = 0; j < n; j++) colScale[j] = Math.max(mean[j]!, least) ** alpha;
  return { colScale };
}
