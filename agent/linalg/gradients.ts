// Singular-value gradients (paper Lemma 1: ∂L/∂σᵢ = uᵢᵀ G vᵢ) per block, and the matrix score built on them.
import { C2iError } from "../../common/errors.ts";
import type { BlockFactors } from "./blocks.ts";
import type { Matrix } from "./matrix.ts";
import { assertCoversSmallest } from "./svd/partial.ts";
import type { PartialSvd } from "./svd/types.ts";

export interface SigmaGradientOptions {
  /**
   * Compute only each block's `smallest` trailing entries (all the score reads); the others are
   * NaN so that a wrong use is loud. @default every entry
   */
  smallest?: number;
}

/**
 * g_b = diag(U_bᵀ G_b V_b) for every block b, in the order of σ_b (descending). G has W's shape
 * and is split into the same row blocks. Computed as g_k = Σᵢ U[i][k]·(G_b[i,:]·v_k), four v_k
 * at a time so each row of G is read once per four singular pairs.
 */
export function sigmaGradients(f: BlockFactors, g: Matrix, options: SigmaGradientOptions = {}): Float64Array[] {
  if (g.rows !== f.rows || g.cols !== f.cols) {
    throw new C2iError("SHAPE_MISMATCH", `gradient is ${g.rows}×${g.cols} but the factored matrix is ${f.rows}×${f.cols}; pass ∂L/∂W of the same matrix`);
  }
  const n = g.cols;
  const gd = g.data;
  return f.parts.map(({ start, end, svd }) => {
    const rows = end - start;
    const r = svd.s.length;
    const from = options.smallest === undefined ? 0 : Math.max(0, r - options.smallest);
    const out = new Float64Array(r);
    out.fill(Number.NaN, 0, from);
    out.fill(0, from);
    const u = svd.u.data;
    const vt = svd.vt.data;
    for (let i = 0; i < rows; i++) {
      const go = (start + i) * n;
      const uo = i * r;
      let k = from;
      for (; k + 4 <= r; k += 4) {
        const v0 = k * n;
        const v1 = v0 + n;
        const v2 = v1 + n;
        const v3 = v2 + n;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let j = 0; j < n; j++) {
          const x = gd[go + j];
          d0 += x * vt[v0 + j];
          d1 += x * vt[v1 + j];
          d2 += x * vt[v2 + j];
          d3 += x * vt[v3 + j];
        }
        out[k] += u[uo + k] * d0;
        out[k + 1] += u[uo + k + 1] * d1;
        out[k + 2] += u[uo + k + 2] * d2;
        out[k + 3] += u[uo + k + 3] * d3;
      }
      for (; k < r; k++) {
        const vo = k * n;
        let d = 0;
        for (let j = 0; j < n; j++) d += gd[go + j] * vt[vo + j];
        out[k] += u[uo + k] * d;
      }
    }
    return out;
  });
}

export interface MatrixScore {
  /** Σ_b Σ_{i ∈ smallest s of σ_b} max(−g_{b,i}, 0) */
  score: number;
  /** Per block: the smallest σ ascending and their gradients in the same order. */
  smallest: { block: number; sigma: number[]; grad: number[] }[];
}

/**
 * The matrix score of METHOD.md: higher means the loss wants the small directions gone more.
 * A block with fewer than `smallest` singular values uses all of them. Trailing-only factors (SmallestSvd) score
 * alike when they hold at least `smallest` triplets; pass their `partial` with `s` so that fewer are refused.
 */
export function scoreMatrix(f: { parts: readonly { svd: { s: ArrayLike<number>; partial?: PartialSvd } }[] }, grads: Float64Array[], smallest: number): MatrixScore {
  if (grads.length !== f.parts.length) {
    throw new C2iError("SHAPE_MISMATCH", `${grads.length} gradient vectors for ${f.parts.length} blocks; compute them with sigmaGradients on the same factors`);
  }
  if (!Number.isInteger(smallest) || smallest < 1) {
    throw new C2iError("INVALID_ARGUMENT", `smallest = ${smallest} must be a positive integer (default 20)`);
  }
  let score = 0;
  const out: MatrixScore["smallest"] = [];
  f.parts.forEach((part, b) => {
    assertCoversSmallest(part.svd, smallest, `block ${b}`);
    const s = part.svd.s;
    const g = grads[b];
    const r = s.length;
    const take = Math.min(smallest, r);
    const sigma: number[] = [];
    const grad: number[] = [];
    for (let i = r - 1; i >= r - take; i--) {
      if (Number.isNaN(g[i])) {
        throw new C2iError("INVALID_ARGUMENT", `block ${b} has no gradient for σ index ${i}; compute sigmaGradients with smallest ≥ ${smallest}`);
      }
      sigma.push(s[i]);
      grad.push(g[i]);
      score += Math.max(-g[i], 0);
    }
    out.push({ block: b, sigma, grad });
  });
  return { score, smallest: out };
}
