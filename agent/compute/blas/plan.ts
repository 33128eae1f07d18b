// Pure shape arithmetic of a batched matMul: output shape, GEMM sizes and per-batch operand offsets (true broadcasting).
import { C2iError, ErrorCode } from "../../../common/errors.ts";

export interface MatMulPlan {
  outShape: number[];
  /** Number of output matrices (product of the broadcast batch dims). */
  batch: number;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  /** Element offset of A's and B's matrix for each output batch index. */
  aOffsets: Int32Array;
  bOffsets: Int32Array;
  /** Matrices A and B hold (the product of their own batch dims). */
  aBatch: number;
  bBatch: number;
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Plans op(A)·op(B) for tfjs BatchMatMul semantics; batch dims broadcast NumPy-style (right-aligned, 1 stretches). */
export function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): MatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new C2iError(
      ErrorCode.SHAPE_MISMATCH,
      `matMul needs rank ≥ 2 operands, got a[${aShape}] and b[${bShape}]; reshape vectors to [1, n] or [n, 1]`,
    );
  }
  const ra = aShape.length;
  const rb = bShape.length;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const kA = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const kB = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (kA !== kB) {
    throw new C2iError(
      ErrorCode.SHAPE_MISMATCH,
      `matMul inner dimensions differ: a[${aShape}] (transposeA=${transposeA}) has ${kA}, ` +
        `b[${bShape}] (transposeB=${transposeB}) has ${kB}`,
    );
  }
  const aDims = aShape.slice(0, -2);
  const bDims = bShape.slice(0, -2);
  const rank = Math.max(aDims.length, bDims.length);
  const outDims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aDims[aDims.length - rank + i] ?? 1;
    const db = bDims[bDims.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new C2iError(
        ErrorCode.SHAPE_MISMATCH,
        `matMul batch dimensions do not broadcast: a[${aShape}] and b[${bShape}] differ at batch axis ${i} (${da} vs ${db})`,
      );
    }
    outDims.push(da === 1 ? db : da);
  }
  const batch = product(outDims);
  return {
    outShape: [...outDims, m, n],
    batch,
    m,
    n,
    k: kA,
    transposeA,
    transposeB,
    aOffsets: batchOffsets(outDims, aDims, m * kA),
    bOffsets: batchOffsets(outDims, bDims, kA * n),
    aBatch: product(aDims),
    bBatch: product(bDims),
  };
}

/** For every output batch index, the element offset of the operand matrix it reads (stride 0 on stretched axes). */
function batchOffsets(outDims: readonly number[], dims: readonly number[], matrixSize: number): Int32Array {
  const rank = outDims.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = matrixSize;
  for (let i = rank - 1; i >= 0; i--) {
    const d = dims[dims.length - rank + i] ?? 1;
    strides[i] = d === 1 ? 0 : stride;
    stride *= d;
  }
  const offsets = new Int32Array(product(outDims));
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < offsets.length; flat++) {
    let offset = 0;
    for (let i = 0; i < rank; i++) offset += index[i] * strides[i];
    offsets[flat] = offset;
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i] < outDims[i]) break;
      index[i] = 0;
    }
  }
  return offsets;
}
