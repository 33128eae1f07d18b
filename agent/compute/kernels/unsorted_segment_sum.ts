// UnsortedSegmentSum for the wasm backend, which lacks it: the gradient of `gather` (the embedding lookup) needs it.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

interface SegmentSumArgs {
  inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  backend: BackendWasm;
  attrs: { numSegments: number };
}

/**
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...] with ids flattened over segmentIds' shape (TensorFlow's
 * semantics: x's leading dims equal segmentIds' shape; ids outside [0, numSegments) are dropped).
 */
export function unsortedSegmentSumWasm(args: SegmentSumArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments;
  const idsRank = segmentIds.shape.length;
  for (let d = 0; d < idsRank; d++) {
    if (x.shape[d] !== segmentIds.shape[d]) {
      throw new Error(
        `UnsortedSegmentSum (wasm): segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
      );
    }
  }
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new Error(`UnsortedSegmentSum (wasm): dtype ${x.dtype} is not supported; use float32 or int32`);
  }
  const inner = x.shape.slice(idsRank);
  const rowSize = tf.util.sizeFromShape(inner);
  const count = tf.util.sizeFromShape(segmentIds.shape);
  const out = backend.makeOutput([numSegments, ...inner], x.dtype);
  // Views are taken after makeOutput: allocation may grow the heap and detach older views.
  const outValues = backend.typedArrayFromHeap(out);
  outValues.fill(0);
  const xValues = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < count; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * rowSize;
    const dst = s * rowSize;
    for (let j = 0; j < rowSize; j++) outValues[dst + j] += xValues[src + j];
  }
  return out;
}

export const unsortedSegmentSumWasmConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc,
};
