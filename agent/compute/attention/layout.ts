// Where q, k and v live inside their tensors' storage: strided (batch, head, token) addressing, so the kernel reads projections without copies.
import { C2iError, ErrorCode } from "../../../common/errors.ts";

/**
 * Element (b, h, t, d) of an operand is `offset + b·batchStride + h·headStride + t·tokenStride + d` in the
 * storage of input `source` (features of one head are contiguous, so each (b, h) is a T×D matrix with
 * leading dimension `tokenStride`, which is what cblas_sgemm reads).
 */
export interface OperandLayout {
  /** Index into the op's source tensors. */
  source: number;
  offset: number;
  batchStride: number;
  headStride: number;
  tokenStride: number;
}

/** The fused projection layouts the architectures produce. */
export const QkvLayout = {
  /** [B·T, (H + 2·KV)·D] as [q | k | v] column blocks: GPT-2's c_attn (and any q|k|v concatenation). */
  blocks: "blocks",
  /** [B·T, H, 3·D] as [q_h | k_h | v_h] per head: GPT-NeoX's query_key_value. */
  perHead: "per_head",
} as const;
export type QkvLayout = (typeof QkvLayout)[keyof typeof QkvLayout];

/** A separate 2-D projection [B·T, n·D] (rows are tokens, heads side by side). */
export function tokenMajor(source: number, length: number, heads: number, headDim: number): OperandLayout {
  return { source, offset: 0, batchStride: length * heads * headDim, headStride: headDim, tokenStride: heads * headDim };
}

/** A 4-D head-major tensor [B, n, T, D] (after the composite path's head transpose, or rope on it). */
export function headMajor(source: number, length: number, heads: number, headDim: number): OperandLayout {
  return { source, offset: 0, batchStride: heads * length * headDim, headStride: length * headDim, tokenStride: headDim };
}

/**
 * Part `part` (0 = q, 1 = k, 2 = v) of a fused projection. `blocks` allows grouped-query widths
 * (q has numHeads heads, k and v numKvHeads); `perHead` packs one q, k and v per head, so numKvHeads = numHeads.
 */
export function fusedPart(
  layout: QkvLayout,
  part: 0 | 1 | 2,
  source: number,
  length: number,
  numHeads: number,
  numKvHeads: number,
  headDim: number,
): OperandLayout {
  if (layout === QkvLayout.perHead) {
    if (numKvHeads !== numHeads) {
      throw new C2iError(
        ErrorCode.INVALID_ARGUMENT,
        `a per-head fused q|k|v projection has one k and v per query head; got ${numHeads} heads and ${numKvHeads} kv heads — use the "blocks" layout or separate projections`,
      );
    }
    const row = 3 * numHeads * headDim;
    return { source, offset: part * headDim, batchStride: length * row, headStride: 3 * headDim, tokenStride: row };
  }
  const row = (numHeads + 2 * numKvHeads) * headDim;
  const offset = part === 0 ? 0 : part === 1 ? numHeads * headDim : (numHeads + numKvHeads) * headDim;
  return { source, offset, batchStride: length * row, headStride: headDim, tokenStride: row };
}

/** Kernel attrs carry a layout as a plain number array. */
export type PackedLayout = [number, number, number, number, number];

export function packLayout(l: OperandLayout): PackedLayout {
  return [l.source, l.offset, l.batchStride, l.headStride, l.tokenStride];
}

export function unpackLayout(p: readonly number[]): OperandLayout {
  return { source: p[0]!, offset: p[1]!, batchStride: p[2]!, headStride: p[3]!, tokenStride: p[4]! };
}

/**
 * Throws SHAPE_MISMATCH unless every element the layout addresses for `batch × heads × length × headDim`
 * lies inside a source of `size` elements and rows are at least headDim apart (cblas' lda ≥ columns).
 */
export function checkLayout(name: string, l: OperandLayout, size: number, batch: number, heads: number, length: number, headDim: number): void {
  const strides = [l.offset, l.batchStride, l.headStride, l.tokenStride];
  if (strides.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `fused attention: ${name} layout has a negative or fractional stride (${strides})`);
  }
  if (l.tokenStride < headDim) {
    throw new C2iError(
      ErrorCode.SHAPE_MISMATCH,
      `fused attention: ${name} rows are ${l.tokenStride} elements apart, fewer than headDim ${headDim}; features of one head must not overlap the next token's`,
    );
  }
  const last = l.offset + (batch - 1) * l.batchStride + (heads - 1) * l.headStride + (length - 1) * l.tokenStride + headDim - 1;
  if (last >= size) {
    throw new C2iError(
      ErrorCode.SHAPE_MISMATCH,
      `fused attention: ${name} reads element ${last} of a ${size}-element tensor (batch ${batch}, heads ${heads}, length ${length}, headDim ${headDim}, layout ${strides}); pass the tensor the layout was made for`,
    );
  }
}
