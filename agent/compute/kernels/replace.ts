// Replacing a backend's kernel with a wrapper around it, once: a marked wrapper is never wrapped again.
import * as tf from "@tensorflow/tfjs";

export function isMarked(kernelFunc: tf.KernelFunc, mark: symbol): boolean {
  return (kernelFunc as unknown as Record<symbol, boolean>)[mark] === true;
}

/** Whether `config`, or a kernel it wraps (the BLAS kernels keep theirs as `blasOriginal`), carries `mark`. */
function wrapsMarked(config: tf.KernelConfig | undefined, mark: symbol): boolean {
  for (let c = config; c != null; c = (c as { blasOriginal?: tf.KernelConfig }).blasOriginal) {
    if (isMarked(c.kernelFunc, mark)) return true;
  }
  return false;
}

/**
 * Registers `wrap(original)` as `kernelName` on `backendName`, keeping the original's setup/dispose hooks.
 * Returns false when the backend has no such kernel; true when it is (now or already, possibly under a
 * BLAS kernel registered later) replaced.
 */
export function replaceKernelOnce(kernelName: string, backendName: string, mark: symbol, wrap: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const original = tf.getKernel(kernelName, backendName);
  if (original == null) return false;
  if (wrapsMarked(original, mark)) return true;
  const kernelFunc = wrap(original.kernelFunc);
  (kernelFunc as unknown as Record<symbol, boolean>)[mark] = true;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc });
  return true;
}
