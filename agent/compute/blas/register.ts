// Registers OpenBLAS-backed BatchMatMul/_FusedMatMul kernels over a tfjs CPU backend (wasm or cpu), and restores the originals.
import * as tf from "@tensorflow/tfjs";
import { describeError } from "../../../common/errors.ts";
import type { Logger } from "../../../common/log.ts";
import { registerHostMatMul, unregisterHostMatMul } from "./host-matmul.ts";
import { blasKernelConfig, isBlasKernelConfig } from "./kernels.ts";
import { COMPUTE_THREADS, loadOpenBlas, type OpenBlas } from "./library.ts";
import { isBlasBackendName, storageFor } from "./storage.ts";

/**
 * The kernels replaced. tfjs has no separate `MatMul` kernel: `tf.matMul` (and TF's MatMul in converted
 * graphs) runs `BatchMatMul` for every rank, and `tf.fused.matMul` runs `_FusedMatMul`.
 */
export const BLAS_KERNEL_NAMES = ["BatchMatMul", "_FusedMatMul"] as const;

export interface BlasRegisterOptions {
  /** False keeps the backend's own kernels (the CLI maps C2I_BLAS=off here). @default true */
  enabled?: boolean;
  /**
   * OpenBLAS threads. The pool is per process, so the last registration's value holds for all backends. Product
   * code keeps the default: the thread count changes results (see COMPUTE_THREADS); benches raise it to
   * measure the machine. @default COMPUTE_THREADS (1)
   */
  threads?: number;
  /** Where to report the choice. @default none */
  logger?: Logger;
  /** Shared library path or name. @default "libblas.so.3", then "libopenblas.so.0" */
  library?: string;
}

export interface BlasRegistration {
  enabled: boolean;
  /** One line for logs and agent info: the library and threads, or why the backend's kernels stay. */
  reason: string;
  /** The loaded library when enabled: hand it to registerAttentionKernels instead of loading it again. */
  blas?: OpenBlas;
}

/**
 * Replaces `backendName`'s matMul kernels with cblas_sgemm ones. Never throws: a missing library or an
 * unsupported backend (tfjs-node's "tensorflow" already runs a native BLAS) returns enabled:false and the
 * backend's kernels stay. Calling it again is harmless (it only re-applies the thread count).
 */
export function registerBlasKernels(backendName: string, options: BlasRegisterOptions = {}): BlasRegistration {
  const result = tryRegister(backendName, options);
  options.logger?.info({ backend: backendName, blas: result.enabled, reason: result.reason }, "matMul kernels chosen");
  return result;
}

function tryRegister(backendName: string, options: BlasRegisterOptions): BlasRegistration {
  if (options.enabled === false) {
    return { enabled: false, reason: "BLAS kernels disabled by configuration (C2I_BLAS=off); the backend's own matMul stays" };
  }
  if (!isBlasBackendName(backendName)) {
    return {
      enabled: false,
      reason: `BLAS kernels only replace the wasm and cpu backends' matMul; "${backendName}" keeps its own`,
    };
  }
  const threads = options.threads ?? COMPUTE_THREADS;
  if (!Number.isInteger(threads) || threads < 1) {
    return { enabled: false, reason: `INVALID_ARGUMENT: OpenBLAS threads must be a positive integer, got ${threads}` };
  }
  const current = BLAS_KERNEL_NAMES.map((name) => tf.getKernel(name, backendName));
  if (current.some((c) => c === undefined)) {
    return {
      enabled: false,
      reason: `backend "${backendName}" has no registered matMul kernels: import @tensorflow/tfjs (cpu) or @tensorflow/tfjs-backend-wasm first`,
    };
  }
  let blas;
  try {
    blas = loadOpenBlas({ library: options.library });
  } catch (e) {
    return { enabled: false, reason: `${describeError(e)}; the backend's own matMul stays` };
  }
  blas.setThreads(threads);
  const prepare = storageFor(backendName);
  for (const config of current) {
    if (isBlasKernelConfig(config)) continue;
    tf.unregisterKernel(config!.kernelName, backendName);
    tf.registerKernel(blasKernelConfig(blas, prepare, config!));
  }
  registerHostMatMul(blas, backendName);
  return { enabled: true, reason: `cblas_sgemm from ${blas.library} (${blas.config}), ${threads} thread${threads === 1 ? "" : "s"}`, blas };
}

/** Puts the backend's own kernels back. Returns whether BLAS kernels were registered. */
export function unregisterBlasKernels(backendName: string): boolean {
  unregisterHostMatMul(backendName);
  let restored = false;
  for (const name of BLAS_KERNEL_NAMES) {
    const config = tf.getKernel(name, backendName);
    if (!isBlasKernelConfig(config)) continue;
    tf.unregisterKernel(name, backendName);
    tf.registerKernel(config.blasOriginal);
    restored = true;
  }
  return restored;
}

/** Whether `backendName`'s BatchMatMul currently runs through BLAS (for reporting). */
export function blasKernelsActive(backendName: string): boolean {
  return isBlasKernelConfig(tf.getKernel("BatchMatMul", backendName));
}
