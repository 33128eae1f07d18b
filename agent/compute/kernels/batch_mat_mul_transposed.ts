// A fast path for transposed BatchMatMul on backends whose transposed products are slow (wasm: ~10-50×):
// transpose the operand explicitly, then call the backend's own plain kernel.
import * as tf from "@tensorflow/tfjs";
import { isMarked, replaceKernelOnce } from "./replace.ts";

interface MatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: tf.KernelBackend & { disposeData(dataId: object): boolean };
  attrs: { transposeA: boolean; transposeB: boolean };
}

/** Marks kernels registered here (replaceKernelOnce sets it) so that registering twice is a no-op. */
const MARK = Symbol.for("c2i.batchMatMulTransposed");

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/**
 * Wraps `plain` (the backend's BatchMatMul) and `transpose` (its Transpose kernel): transposed operands
 * are materialised first, so the multiply always runs the backend's fastest (non-transposed) path.
 */
export function makeTransposedBatchMatMul(plain: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelFunc {
  return ((args: MatMulArgs) => {
    const { inputs, backend, attrs } = args;
    if (!attrs.transposeA && !attrs.transposeB) return plain(args as unknown as Parameters<tf.KernelFunc>[0]);
    const temps: tf.TensorInfo[] = [];
    const materialise = (x: tf.TensorInfo): tf.TensorInfo => {
      const t = transpose({ inputs: { x }, backend, attrs: { perm: swapLastTwo(x.shape.length) } } as never) as tf.TensorInfo;
      temps.push(t);
      return t;
    };
    const a = attrs.transposeA ? materialise(inputs.a) : inputs.a;
    const b = attrs.transposeB ? materialise(inputs.b) : inputs.b;
    try {
      return plain({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } } as never);
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  }) as unknown as tf.KernelFunc;
}

/** True when the BatchMatMul registered for `backendName` is already this fast path. */
export function isTransposedBatchMatMul(kernelFunc: tf.KernelFunc): boolean {
  return isMarked(kernelFunc, MARK);
}

/**
 * Replaces `backendName`'s BatchMatMul with the fast path, keeping the original kernel function as the
 * plain multiply. Returns false if that backend has no BatchMatMul/Transpose kernel.
 */
export function registerTransposedBatchMatMul(backendName: string): boolean {
  const transpose = tf.getKernel(tf.Transpose, backendName);
  if (transpose == null) return false;
  return replaceKernelOnce(tf.BatchMatMul, backendName, MARK, (plain) => makeTransposedBatchMatMul(plain, transpose.kernelFunc));
}
