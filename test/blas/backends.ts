// Shared fixture for the BLAS tests: the backends to parameterise over, and original-vs-BLAS comparison helpers.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { expect } from "vitest";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { registerBlasKernels, unregisterBlasKernels } from "../../agent/compute/blas/register.ts";

export const BACKENDS = ["wasm", "cpu"] as const;

/** Why the BLAS suites skip, or undefined when OpenBLAS loads on this machine. */
export const blasMissing: string | undefined = (() => {
  try {
    loadOpenBlas();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
})();
if (blasMissing) console.warn(`BLAS tests skipped: ${blasMissing}`);

export async function useBackend(name: string): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}

/** Runs `fn` once on the backend's own kernels and once on the BLAS kernels; returns both results as arrays. */
export function withAndWithoutBlas<T>(backend: string, fn: () => T): { original: T; blas: T } {
  unregisterBlasKernels(backend);
  const original = fn();
  const reg = registerBlasKernels(backend, { threads: 2 });
  if (!reg.enabled) throw new Error(`BLAS registration failed in test: ${reg.reason}`);
  const blas = fn();
  return { original, blas };
}

/** Runs `fn` on the BLAS kernels only (for inputs the backend's own kernel rejects). */
export function withBlas<T>(backend: string, fn: () => T): T {
  const reg = registerBlasKernels(backend, { threads: 2 });
  if (!reg.enabled) throw new Error(`BLAS registration failed in test: ${reg.reason}`);
  return fn();
}

/** float32 closeness scaled by the magnitude of the reference (sums of k products round at ~k·2^-24). */
export function expectClose(actual: tf.Tensor, expected: tf.Tensor, rtol = 2e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    scale = Math.max(scale, Math.abs(e[i]));
    worst = Math.max(worst, Math.abs(a[i] - e[i]));
  }
  expect(Number.isFinite(worst) ? worst : Infinity).toBeLessThanOrEqual(rtol * scale);
}

/** Seeded inputs so a failure reproduces. */
export function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}
