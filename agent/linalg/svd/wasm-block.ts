// Applies a compact-WY block reflector with the WebAssembly SIMD kernels, on arrays that live in their memory.
import type { BlockReflector } from "./block-reflector.ts";
import type { Kernels } from "./wasm-kernels.ts";

/** Columns per kernel call: a 32-reflector slice of Yᵀ is then 64 KB, resident in L2 while all rows pass. */
const chunk = 256;

/**
 * x ← x − ((x Y) M) Yᵀ for rows [r0, r1) of X (row stride ld), as block-reflector.ts's applyBlock,
 * but W = X·Y and X −= Z·Yᵀ run in the kernels; w and z are scratch views of ≥ (r1 − r0)·nb doubles.
 * Every argument array must be a view of the kernels' memory.
 */
export function applyBlockWasm(
  k: Kernels,
  x: Float64Array,
  ld: number,
  r0: number,
  r1: number,
  b: BlockReflector,
  w: Float64Array,
  z: Float64Array,
): void {
  const { off, width, nb, yt, m } = b;
  const rows = r1 - r0;
  if (rows <= 0 || nb === 0 || width === 0) return;
  const xp = x.byteOffset + (r0 * ld + off) * 8;
  const yp = yt.byteOffset;
  w.fill(0, 0, rows * nb);
  for (let c0 = 0; c0 < width; c0 += chunk) k.xy(xp + c0 * 8, ld * 8, rows, Math.min(chunk, width - c0), yp + c0 * 8, width * 8, nb, w.byteOffset);
  // Z = W M: rows × nb × nb, small next to the kernels' rows × width × nb.
  for (let i = 0; i < rows; i++) {
    const o = i * nb;
    for (let j = 0; j < nb; j++) {
      let s = 0;
      for (let q = 0; q < nb; q++) s += w[o + q] * m[q * nb + j];
      z[o + j] = s;
    }
  }
  for (let c0 = 0; c0 < width; c0 += chunk) k.zy(xp + c0 * 8, ld * 8, rows, Math.min(chunk, width - c0), yp + c0 * 8, width * 8, nb, z.byteOffset);
}
