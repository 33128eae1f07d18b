// Compact WY form of a run of Householder reflectors (LAPACK dlarft/dlarfb), applied to contiguous rows.
import type { Reflector } from "./householder.ts";
import { applyBlockWasm } from "./wasm-block.ts";
import type { Kernels } from "./wasm-kernels.ts";

/**
 * Scratch for the SIMD path: the kernels, the buffer they address, and views of it for Yᵀ
 * (≥ nb × widest range), W and Z (≥ nb × most rows). Blocks whose X lies elsewhere run in JavaScript.
 */
export interface BlockScratch {
  kernels: Kernels;
  yt: Float64Array;
  w: Float64Array;
  z: Float64Array;
}

/**
 * H_a H_{a+1} … H_b = I − Y T Yᵀ for reflectors whose ranges all end at the same index and start
 * one apart. `yt` holds Yᵀ row by row over the common range [off, off + width).
 */
export interface BlockReflector {
  off: number;
  width: number;
  nb: number;
  yt: Float64Array;
  /** nb×nb, row-major: T (forward application) or Tᵀ (reverse application) */
  m: Float64Array;
}

/**
 * Builds the block for refls[first … first+count−1]. With `reverse`, the block applies them from
 * the right in decreasing order (x·H_b…H_a = x(I − Y Tᵀ Yᵀ)); otherwise in increasing order.
 */
export function buildBlock(refls: Reflector[], first: number, count: number, reverse: boolean, into?: Float64Array): BlockReflector {
  const off = refls[first].off;
  const width = refls[first].v.length;
  const yt = into ? into.subarray(0, count * width).fill(0) : new Float64Array(count * width);
  for (let l = 0; l < count; l++) {
    const r = refls[first + l];
    yt.set(r.v, l * width + (r.off - off));
  }
  // dlarft (forward, columnwise): T[l][l] = τ_l, T[0:l, l] = −τ_l T[0:l, 0:l] (Y[:, 0:l]ᵀ y_l).
  const t = new Float64Array(count * count);
  const tmp = new Float64Array(count);
  for (let l = 0; l < count; l++) {
    const tau = refls[first + l].tau;
    t[l * count + l] = tau;
    if (tau === 0) continue;
    const yl = l * width;
    const start = refls[first + l].off - off;
    for (let i = 0; i < l; i++) {
      const yi = i * width;
      let d = 0;
      for (let c = start; c < width; c++) d += yt[yi + c] * yt[yl + c];
      tmp[i] = d;
    }
    for (let i = 0; i < l; i++) {
      let s = 0;
      for (let q = i; q < l; q++) s += t[i * count + q] * tmp[q];
      t[i * count + l] = -tau * s;
    }
  }
  if (reverse) {
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        const a = t[i * count + j];
        t[i * count + j] = t[j * count + i];
        t[j * count + i] = a;
      }
    }
  }
  return { off, width, nb: count, yt, m: t };
}

/**
 * x ← x − ((x Y) M) Yᵀ for every row x of X in [r0, r1): the same product as applying the
 * reflectors one by one, but with four rows and two reflectors per inner loop (unrolled twice
 * along the row), so that each load feeds several multiply-adds. With `scratch`, and X and Yᵀ in
 * its buffer, the SIMD kernels do the work instead (same product, different rounding order).
 */
export function applyBlock(x: Float64Array, ld: number, r0: number, r1: number, b: BlockReflector, scratch?: BlockScratch): void {
  if (scratch && x.buffer === scratch.kernels.buffer && b.yt.buffer === scratch.kernels.buffer) {
    applyBlockWasm(scratch.kernels, x, ld, r0, r1, b, scratch.w, scratch.z);
    return;
  }
  const { off, width, nb, yt, m } = b;
  const w = new Float64Array(4 * nb);
  const z = new Float64Array(4 * nb);
  for (let i = r0; i < r1; i += 4) {
    const rows = Math.min(4, r1 - i);
    const o0 = i * ld + off;
    const o1 = rows > 1 ? o0 + ld : o0;
    const o2 = rows > 2 ? o1 + ld : o1;
    const o3 = rows > 3 ? o2 + ld : o2;
    // W = X Y (rows × nb), two reflectors at a time.
    let l = 0;
    for (; l + 2 <= nb; l += 2) {
      const ya = l * width;
      const yb = ya + width;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      let c = 0;
      for (; c + 2 <= width; c += 2) {
        let va = yt[ya + c];
        let vb = yt[yb + c];
        let x0 = x[o0 + c], x1 = x[o1 + c], x2 = x[o2 + c], x3 = x[o3 + c];
        a0 += x0 * va; a1 += x1 * va; a2 += x2 * va; a3 += x3 * va;
        b0 += x0 * vb; b1 += x1 * vb; b2 += x2 * vb; b3 += x3 * vb;
        va = yt[ya + c + 1];
        vb = yt[yb + c + 1];
        x0 = x[o0 + c + 1]; x1 = x[o1 + c + 1]; x2 = x[o2 + c + 1]; x3 = x[o3 + c + 1];
        a0 += x0 * va; a1 += x1 * va; a2 += x2 * va; a3 += x3 * va;
        b0 += x0 * vb; b1 += x1 * vb; b2 += x2 * vb; b3 += x3 * vb;
      }
      for (; c < width; c++) {
        const va = yt[ya + c];
        const vb = yt[yb + c];
        const x0 = x[o0 + c], x1 = x[o1 + c], x2 = x[o2 + c], x3 = x[o3 + c];
        a0 += x0 * va; a1 += x1 * va; a2 += x2 * va; a3 += x3 * va;
        b0 += x0 * vb; b1 += x1 * vb; b2 += x2 * vb; b3 += x3 * vb;
      }
      w[l] = a0; w[nb + l] = a1; w[2 * nb + l] = a2; w[3 * nb + l] = a3;
      w[l + 1] = b0; w[nb + l + 1] = b1; w[2 * nb + l + 1] = b2; w[3 * nb + l + 1] = b3;
    }
    for (; l < nb; l++) {
      const ya = l * width;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let c = 0; c < width; c++) {
        const va = yt[ya + c];
        a0 += x[o0 + c] * va; a1 += x[o1 + c] * va; a2 += x[o2 + c] * va; a3 += x[o3 + c] * va;
      }
      w[l] = a0; w[nb + l] = a1; w[2 * nb + l] = a2; w[3 * nb + l] = a3;
    }
    // Z = W M (rows × nb).
    for (let r = 0; r < 4; r++) {
      for (let j = 0; j < nb; j++) {
        let s = 0;
        for (let q = 0; q < nb; q++) s += w[r * nb + q] * m[q * nb + j];
        z[r * nb + j] = s;
      }
    }
    // X −= Z Yᵀ, two reflectors at a time; duplicated rows of a short tail group are written last-wins
    // with identical values, so only the real rows are updated.
    l = 0;
    for (; l + 2 <= nb; l += 2) {
      const ya = l * width;
      const yb = ya + width;
      const za0 = z[l], za1 = z[nb + l], za2 = z[2 * nb + l], za3 = z[3 * nb + l];
      const zb0 = z[l + 1], zb1 = z[nb + l + 1], zb2 = z[2 * nb + l + 1], zb3 = z[3 * nb + l + 1];
      if (rows === 4) {
        let c = 0;
        for (; c + 2 <= width; c += 2) {
          let va = yt[ya + c];
          let vb = yt[yb + c];
          x[o0 + c] -= za0 * va + zb0 * vb;
          x[o1 + c] -= za1 * va + zb1 * vb;
          x[o2 + c] -= za2 * va + zb2 * vb;
          x[o3 + c] -= za3 * va + zb3 * vb;
          va = yt[ya + c + 1];
          vb = yt[yb + c + 1];
          x[o0 + c + 1] -= za0 * va + zb0 * vb;
          x[o1 + c + 1] -= za1 * va + zb1 * vb;
          x[o2 + c + 1] -= za2 * va + zb2 * vb;
          x[o3 + c + 1] -= za3 * va + zb3 * vb;
        }
        for (; c < width; c++) {
          const va = yt[ya + c];
          const vb = yt[yb + c];
          x[o0 + c] -= za0 * va + zb0 * vb;
          x[o1 + c] -= za1 * va + zb1 * vb;
          x[o2 + c] -= za2 * va + zb2 * vb;
          x[o3 + c] -= za3 * va + zb3 * vb;
        }
      } else {
        const zs = [za0, za1, za2, za3];
        const zt = [zb0, zb1, zb2, zb3];
        const os = [o0, o1, o2, o3];
        for (let r = 0; r < rows; r++) {
          const o = os[r], p = zs[r], q = zt[r];
          for (let c = 0; c < width; c++) x[o + c] -= p * yt[ya + c] + q * yt[yb + c];
        }
      }
    }
    for (; l < nb; l++) {
      const ya = l * width;
      const os = [o0, o1, o2, o3];
      for (let r = 0; r < rows; r++) {
        const o = os[r], p = z[r * nb + l];
        for (let c = 0; c < width; c++) x[o + c] -= p * yt[ya + c];
      }
    }
  }
}

/** Applies refls in decreasing index order [first+count−1 … first] from the right, `panel` at a time. */
export function applyReflectorsReverse(
  x: Float64Array,
  ld: number,
  r0: number,
  r1: number,
  refls: Reflector[],
  first: number,
  count: number,
  panel: number,
  scratch?: BlockScratch,
): void {
  for (let hi = first + count; hi > first; hi -= panel) {
    const lo = Math.max(first, hi - panel);
    applyBlock(x, ld, r0, r1, buildBlock(refls, lo, hi - lo, true, scratch?.yt), scratch);
  }
}
