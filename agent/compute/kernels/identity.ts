// Zero-copy Identity for wasm: tfjs clones every tensor it saves for backprop (weights included) through
// Identity, and the stock wasm kernel copies the bytes, which doubles the heap during a gradient pass.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { replaceKernelOnce } from "./replace.ts";

/** Shares x's buffer with a reference count, as the cpu backend's Identity and wasm's own Reshape do. */
export function identitySharedWasm(args: { inputs: { x: tf.TensorInfo }; backend: BackendWasm }): tf.TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

const MARK = Symbol.for("c2i.identityShared");

/** Replaces wasm's Identity with the zero-copy one (once). Returns false if wasm has no Identity. */
export function registerSharedIdentityWasm(): boolean {
  return replaceKernelOnce(tf.Identity, "wasm", MARK, () => identitySharedWasm as unknown as tf.KernelFunc);
}
