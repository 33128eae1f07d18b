// The wasm backend's _FusedMatMul handles only the dense-layer case (2-D operands, no transpose, a [n] bias);
// tfjs 4.22 throws on any other bias rank and adds the bias wrongly for batched or transposed operands.
// This kernel keeps the native one for that case and runs every other case as BatchMatMul + our epilogue.
import * as tf from "@tensorflow/tfjs";
import { applyEpilogue, isFusedActivation } from "../blas/epilogue.ts";
import { viewsFor } from "../blas/storage.ts";
import { replaceKernelOnce } from "./replace.ts";

interface FusedArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
  backend: unknown;
  attrs: { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
}

const MARK = Symbol.for("c2i.fusedMatMulGeneral");

/** The case the native kernel computes correctly. */
function nativeHandles({ inputs, attrs }: FusedArgs): boolean {
  const { a, b, bias, preluActivationWeights } = inputs;
  if (a.shape.length !== 2 || b.shape.length !== 2 || attrs.transposeA || attrs.transposeB) return false;
  if (preluActivationWeights != null) return false;
  return bias == null || (bias.shape.length === 1 && bias.shape[0] === b.shape[1]);
}

const viewWasm = viewsFor("wasm");

function view(backend: unknown, info: tf.TensorInfo): Float32Array {
  const [values] = viewWasm(backend, [info]);
  if (values === undefined) throw new Error(`_FusedMatMul: tensor storage not found on the wasm backend`);
  return values;
}

export function makeGeneralFusedMatMul(native: tf.KernelFunc, batchMatMul: tf.KernelFunc): tf.KernelFunc {
  return ((args: FusedArgs) => {
    if (nativeHandles(args)) return native(args as unknown as Parameters<tf.KernelFunc>[0]);
    const { inputs, backend, attrs } = args;
    const { a, b, bias, preluActivationWeights } = inputs;
    if ([a, b, bias, preluActivationWeights].some((t) => t != null && t.dtype !== "float32")) {
      return native(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const out = batchMatMul({ inputs: { a, b }, backend, attrs: { transposeA: attrs.transposeA, transposeB: attrs.transposeB } } as never) as tf.TensorInfo;
    // Views taken after the product: its allocation may have grown (and moved) the heap.
    applyEpilogue(view(backend, out), out.shape, {
      bias: bias && { values: view(backend, bias), shape: bias.shape },
      activation: isFusedActivation(attrs.activation) ? attrs.activation : "linear",
      preluWeights: preluActivationWeights && { values: view(backend, preluActivationWeights), shape: preluActivationWeights.shape },
      leakyreluAlpha: attrs.leakyreluAlpha,
    });
    return out;
  }) as unknown as tf.KernelFunc;
}

/** Replaces wasm's _FusedMatMul with the general one (once). Returns false if wasm lacks the kernels. */
export function registerGeneralFusedMatMulWasm(): boolean {
  if (tf.getKernel(tf.BatchMatMul, "wasm") == null) return false;
  // BatchMatMul is looked up per call: the BLAS kernels may replace it after this registration.
  const batchMatMul: tf.KernelFunc = (args) => tf.getKernel(tf.BatchMatMul, "wasm")!.kernelFunc(args);
  return replaceKernelOnce(tf._FusedMatMul, "wasm", MARK, (native) => makeGeneralFusedMatMul(native, batchMatMul));
}
