// Registers the fused attention kernels (and their gradient) on a tfjs CPU backend when OpenBLAS loads; part of the BLAS kernels.
import * as tf from "@tensorflow/tfjs";
import { describeError } from "../../../common/errors.ts";
import type { Logger } from "../../../common/log.ts";
import { loadOpenBlas, type OpenBlas } from "../blas/library.ts";
import { isBlasBackendName, storageFor, viewsFor } from "../blas/storage.ts";
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, attentionGradKernelFunc, attentionKernelFunc } from "./kernels.ts";
import { attentionGradConfig } from "./op.ts";

export const ATTENTION_KERNEL_NAMES = [ATTENTION_KERNEL, ATTENTION_GRAD_KERNEL] as const;

export interface AttentionRegisterOptions {
  /**
   * False removes the fused kernels from the backend, so `attention()` runs the composite ops
   * (the CLI maps C2I_BLAS=off here, through the BLAS registration's result). @default true
   */
  enabled?: boolean;
  /** An already loaded OpenBLAS (thread count is process-wide and set by the BLAS matMul kernels). @default loads it */
  blas?: OpenBlas;
  /** Shared library path or name, when `blas` is not given. @default "libblas.so.3", then "libopenblas.so.0" */
  library?: string;
  /** Where to report the choice. @default none */
  logger?: Logger;
}

export interface AttentionRegistration {
  enabled: boolean;
  /** One line for logs: the library, or why the composite ops stay. */
  reason: string;
}

/**
 * Makes `attention()` on `backendName` run the fused kernels. Never throws: an unsupported backend
 * (tfjs-node's "tensorflow") or a missing library returns enabled:false and the composite ops stay.
 * Calling it again is harmless.
 */
export function registerAttentionKernels(backendName: string, options: AttentionRegisterOptions = {}): AttentionRegistration {
  const result = tryRegister(backendName, options);
  options.logger?.info({ backend: backendName, fusedAttention: result.enabled, reason: result.reason }, "attention kernels chosen");
  return result;
}

function tryRegister(backendName: string, options: AttentionRegisterOptions): AttentionRegistration {
  if (options.enabled === false) {
    unregisterAttentionKernels(backendName);
    return { enabled: false, reason: "fused attention disabled with the BLAS kernels; composite tfjs ops run" };
  }
  if (!isBlasBackendName(backendName)) {
    return { enabled: false, reason: `fused attention only runs on the wasm and cpu backends; "${backendName}" runs the composite ops` };
  }
  let blas = options.blas;
  if (blas === undefined) {
    try {
      blas = loadOpenBlas({ library: options.library });
    } catch (e) {
      return { enabled: false, reason: `${describeError(e)}; composite attention ops stay` };
    }
  }
  if (tf.getGradient(ATTENTION_KERNEL) == null) tf.registerGradient(attentionGradConfig);
  const prepare = storageFor(backendName);
  const view = viewsFor(backendName);
  unregisterAttentionKernels(backendName);
  tf.registerKernel({ kernelName: ATTENTION_KERNEL, backendName, kernelFunc: attentionKernelFunc(blas, prepare, view) });
  tf.registerKernel({ kernelName: ATTENTION_GRAD_KERNEL, backendName, kernelFunc: attentionGradKernelFunc(blas, prepare) });
  return { enabled: true, reason: `fused attention with cblas_sgemm from ${blas.library}` };
}

/** Removes the fused kernels from `backendName`; returns whether they were registered. */
export function unregisterAttentionKernels(backendName: string): boolean {
  let removed = false;
  for (const name of ATTENTION_KERNEL_NAMES) {
    if (tf.getKernel(name, backendName) === undefined) continue;
    tf.unregisterKernel(name, backendName);
    removed = true;
  }
  return removed;
}

/** Whether `backendName` runs attention through the fused kernels (for reporting). */
export function attentionKernelsActive(backendName: string): boolean {
  return tf.getKernel(ATTENTION_KERNEL, backendName) !== undefined;
}
