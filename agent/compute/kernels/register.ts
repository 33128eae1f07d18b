// Fills the wasm backend's gaps once per process: UnsortedSegmentSum, fast transposed BatchMatMul, zero-copy Identity,
// a _FusedMatMul for every bias shape and transpose, row-copy GatherV2.
import * as tf from "@tensorflow/tfjs";
import { registerTransposedBatchMatMul } from "./batch_mat_mul_transposed.ts";
import { registerGeneralFusedMatMulWasm } from "./fused_mat_mul.ts";
import { registerRowGatherWasm } from "./gather.ts";
import { registerSharedIdentityWasm } from "./identity.ts";
import { unsortedSegmentSumWasmConfig } from "./unsorted_segment_sum.ts";

export interface GapKernels {
  /** Kernel names this module provides on the backend (registered by this call or an earlier one). */
  registered: string[];
}

/** Registers the gap kernels for `backendName` (only wasm has gaps today); safe to call repeatedly. */
export function registerGapKernels(backendName: string): GapKernels {
  const registered: string[] = [];
  if (backendName !== "wasm") return { registered };
  if (tf.getKernel(tf.UnsortedSegmentSum, "wasm") == null) tf.registerKernel(unsortedSegmentSumWasmConfig);
  registered.push(tf.UnsortedSegmentSum);
  if (registerTransposedBatchMatMul("wasm")) registered.push(tf.BatchMatMul);
  if (registerGeneralFusedMatMulWasm()) registered.push(tf._FusedMatMul);
  if (registerRowGatherWasm()) registered.push(tf.GatherV2);
  if (registerSharedIdentityWasm()) registered.push(tf.Identity);
  return { registered };
}
