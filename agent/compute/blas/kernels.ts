// tfjs kernel functions for BatchMatMul and _FusedMatMul that compute with cblas_sgemm on the backend's own buffers.
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import { applyEpilogue, isFusedActivation } from "./epilogue.ts";
import { batchedGemm } from "./gemm.ts";
import type { OpenBlas } from "./library.ts";
import { planMatMul } from "./plan.ts";
import { fillRowsWith, type PrepareBuffers } from "./storage.ts";

interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}

const allFloat32 = (infos: (TensorInfo | undefined)[]): boolean =>
  infos.every((t) => t === undefined || t.dtype === "float32");

/**
 * Runs the GEMM (and the fused epilogue when `fused`); returns undefined when the inputs are not
 * plain float32 storage, in which case the caller falls back to the backend's own kernel.
 */
function run(blas: OpenBlas, prepare: PrepareBuffers, args: KernelArgs, fused: boolean): TensorInfo | undefined {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  if (!a || !b) return undefined;
  const extras = fused ? [bias, preluActivationWeights] : [];
  if (!allFloat32([a, b, ...extras])) return undefined;
  if (fused && attrs.activation !== undefined && !isFusedActivation(attrs.activation)) return undefined;
  const plan = planMatMul(a.shape, b.shape, Boolean(attrs.transposeA), Boolean(attrs.transposeB));
  const present = [a, b, ...extras.filter((t): t is TensorInfo => t !== undefined)];
  const { out, outView, views } = prepare(args.backend, present, plan.outShape);
  if (views.some((v) => v === undefined)) {
    (args.backend as KernelBackend).disposeData(out.dataId);
    return undefined;
  }
  let next = 2;
  const biasValues = fused && bias ? views[next++]! : undefined;
  // A bias as large as the output (a running sum, e.g. gradient accumulation) or one per column (a dense
  // layer's) is copied into the output and the GEMM adds onto it (beta = 1): memcpy instead of a
  // JavaScript pass over the whole output (14–16% of a 768×768·768×3072 product under load; `npx tsx bench/kernels/run.ts`).
  const n = plan.outShape[plan.outShape.length - 1] ?? 0;
  const fullBias = biasValues !== undefined && bias!.shape.join() === plan.outShape.join();
  const rowBias = biasValues !== undefined && !fullBias && n > 0 && biasValues.length === n && bias!.shape[bias!.shape.length - 1] === n;
  if (fullBias) outView.set(biasValues);
  if (rowBias) fillRowsWith(outView, biasValues);
  const prefilled = fullBias || rowBias;
  batchedGemm(blas, plan, views[0]!, views[1]!, outView, prefilled ? 1 : 0);
  if (fused) {
    const biasView = bias && !prefilled ? { values: biasValues!, shape: bias.shape } : undefined;
    const preluView = preluActivationWeights ? { values: views[next++]!, shape: preluActivationWeights.shape } : undefined;
    applyEpilogue(outView, plan.outShape, {
      bias: biasView,
      activation: isFusedActivation(attrs.activation) ? attrs.activation : "linear",
      preluWeights: preluView,
      leakyreluAlpha: typeof attrs.leakyreluAlpha === "number" ? attrs.leakyreluAlpha : undefined,
    });
  }
  return out;
}

/** A BLAS kernel config that remembers the kernel it replaced, so it can be restored. */
export interface BlasKernelConfig extends KernelConfig {
  blasOriginal: KernelConfig;
}

export function isBlasKernelConfig(config: KernelConfig | undefined): config is BlasKernelConfig {
  return config !== undefined && "blasOriginal" in config;
}

/**
 * Wraps `original` (BatchMatMul or _FusedMatMul of one backend). Its setup/dispose hooks are kept, so the
 * original kernel's wasm bindings exist for the fallback path and after restoring it.
 */
export function blasKernelConfig(blas: OpenBlas, prepare: PrepareBuffers, original: KernelConfig): BlasKernelConfig {
  const fused = original.kernelName === "_FusedMatMul";
  const kernelFunc = ((args: KernelArgs) =>
    run(blas, prepare, args, fused) ?? original.kernelFunc(args as Parameters<KernelFunc>[0])) as unknown as KernelFunc;
  return {
    kernelName: original.kernelName,
    backendName: original.backendName,
    kernelFunc,
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    blasOriginal: original,
  };
}
