// Householder QR of a tall matrix stored transposed, so every reflector works on contiguous rows.
import { applyBlock, type BlockScratch, buildBlock } from "./block-reflector.ts";
import { applyReflectorsToRows, makeReflector, type Reflector } from "./householder.ts";

/**
 * Factors A = Q R in place, where A (m×n, m ≥ n) is given as `at` = Aᵀ (n rows of length m).
 * Panels of `panel` reflectors are built one by one, then applied to the trailing rows at once in
 * compact WY form (LAPACK dgeqrf's blocking). Returns the reflectors (Q = H₀ H₁ … H_{n−1}) and Rᵀ (n×n,
 * lower triangular): Rᵀ[j][i] = R[i][j]. `scratch` lets the trailing updates run in the SIMD kernels.
 */
export function qrTransposed(
  at: Float64Array,
  n: number,
  m: number,
  panel = 32,
  ld = m,
  scratch?: BlockScratch,
): { refls: Reflector[]; rt: Float64Array } {
  const refls: Reflector[] = new Array(n);
  const diag = new Float64Array(n);
  for (let k0 = 0; k0 < n; k0 += panel) {
    const k1 = Math.min(n, k0 + panel);
    for (let k = k0; k < k1; k++) {
      const { beta, refl } = makeReflector(at, k * ld + k, m - k, k);
      refls[k] = refl;
      diag[k] = beta;
      applyReflectorsToRows(at, ld, k + 1, k1, refls, k, 1, 1);
    }
    if (k1 < n) applyBlock(at, ld, k1, n, buildBlock(refls, k0, k1 - k0, false, scratch?.yt), scratch);
  }
  const rt = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const src = j * ld;
    const dst = j * n;
    for (let i = 0; i < j; i++) rt[dst + i] = at[src + i];
    rt[dst + j] = diag[j];
  }
  return { refls, rt };
}
