// Zero-copy Identity for wasm: tfjs clones every tensor it saves for backprop (weights included) through
// Identity, and the stock wasm kernel copies the bytes, which doubles the heap during a gradient pass.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** Shares x's buffer with a reference count, as the cpu backend's Identity and wasm's own Reshape do. */
export function identitySharedWasm(args: { inputs: { x: tf.TensorInfo }; backend: BackendWasm }): tf.TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

const MARK = Symbol.for("c2i.identityShared");

export function isSharedIdentity(kernelFunc: tf.KernelFunc): boolean {
  return (kernelFunc as unknown as Record<symbol, boolean>)[MARK] === true;
}

/** Replaces wasm's Identity with the zero-copy one; returns false when already replaced. */
export function registerSharedIdentityWasm(): boolean {
  const current = tf.getKernel(tf.Identity, "wasm");
  if (current != null && isSharedIdentity(current.kernelFunc)) return false;
  const kernelFunc = identitySharedWasm as unknown as tf.KernelFunc;
  (kernelFunc as unknown as Record<symbol, boolean>)[MARK] = true;
  if (current != null) tf.unregisterKernel(tf.Identity, "wasm");
  tf.registerKernel({ kernelName: tf.Identity, backendName: "wasm", kernelFunc });
  return true;
}
