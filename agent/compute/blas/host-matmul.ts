// The kernel that multiplies activations on the backend by a weight kept in host memory (agent/models/host-matrix.ts).
//
// y = x·op(M) (+ a bias per column): x is a float32 tensor on the wasm or cpu backend, M a host matrix in its stored
// dtype. F32 matrices are read in place; F16/BF16 ones are widened a fixed number of rows at a time into one
// scratch buffer, so a model's weights never enter the backend's heap and never exist whole as float32.
import * as tf from "@tensorflow/tfjs";
import type { KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { type HostMatrix, widenRowsPerStep } from "../../models/host-matrix.ts";
import type { OpenBlas } from "./library.ts";
import { type BlasBackendName, fillRowsWith, storageFor, viewsFor } from "./storage.ts";

export const HOST_MATMUL = "C2iHostMatMul";

/** What a host product reads besides its tensor inputs. */
export interface HostMatMulAttrs {
  matrix: HostMatrix;
  /** y = x·Mᵀ when true (M stored [out, in]), y = x·M when false. */
  transpose: boolean;
}

interface Registered {
  blas: OpenBlas;
  backendName: BlasBackendName;
}
/** The OpenBLAS each backend's host kernel uses, for the gradient sums that accumulate into host memory. */
const registered = new Map<string, Registered>();

/**
 * out (+)= x·op(M) with x [n, k] and out [n, outCols] row-major float32 views. A widened matrix is multiplied one
 * step of stored rows at a time: along the output columns when transposed, along the sum (beta = 1 after the
 * first step) when not.
 */
export function hostGemm(
  blas: OpenBlas,
  x: Float32Array,
  n: number,
  m: HostMatrix,
  transpose: boolean,
  out: Float32Array,
  beta: 0 | 1,
  step = widenRowsPerStep(m.shape[1]),
): void {
  const [rows, cols] = m.shape;
  const k = transpose ? cols : rows;
  const outCols = transpose ? rows : cols;
  if (n === 0 || outCols === 0) return;
  const whole = m.float32;
  if (whole !== undefined) {
    blas.sgemm(false, transpose, n, outCols, k, 1, x, k, whole, cols, beta, out, outCols);
    return;
  }
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    const part = m.rows(r0, r1);
    if (transpose) blas.sgemm(false, true, n, r1 - r0, cols, 1, x, k, part, cols, beta, out.subarray(r0), outCols);
    else blas.sgemm(false, false, n, cols, r1 - r0, 1, x.subarray(r0), k, part, cols, r0 === 0 ? beta : 1, out, cols);
  }
}

function kernel(blas: OpenBlas, backendName: BlasBackendName): KernelFunc {
  const prepare = storageFor(backendName);
  return (({ inputs, backend, attrs }: { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: NamedAttrMap }) => {
    const { matrix, transpose } = attrs as unknown as HostMatMulAttrs;
    const x = inputs.x!;
    const bias = inputs.bias;
    const [n, k] = x.shape as [number, number];
    const [rows, cols] = matrix.shape;
    const outCols = transpose ? rows : cols;
    if ((transpose ? cols : rows) !== k || x.dtype !== "float32") {
      throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${matrix.name}: cannot multiply a ${x.dtype} [${x.shape}] input by [${matrix.shape}]${transpose ? "ᵀ" : ""}`);
    }
    const { out, outView, views } = prepare(backend, bias ? [x, bias] : [x], [n, outCols]);
    // A bias is copied into every row and the product added onto it (beta = 1), as the BLAS matMul kernels do.
    if (bias) fillRowsWith(outView, views[1]!);
    hostGemm(blas, views[0]!, n, matrix, transpose, outView, bias ? 1 : 0);
    return out;
  }) as unknown as KernelFunc;
}

/** Registers the host kernel on a backend whose matMul now runs through `blas` (./register.ts). */
export function registerHostMatMul(blas: OpenBlas, backendName: BlasBackendName): void {
  if (tf.getKernel(HOST_MATMUL, backendName) != null) tf.unregisterKernel(HOST_MATMUL, backendName);
  tf.registerKernel({ kernelName: HOST_MATMUL, backendName, kernelFunc: kernel(blas, backendName) });
  registered.set(backendName, { blas, backendName });
}

export function unregisterHostMatMul(backendName: string): void {
  if (tf.getKernel(HOST_MATMUL, backendName) != null) tf.unregisterKernel(HOST_MATMUL, backendName);
  registered.delete(backendName);
}

/**
 * x·op(M) (+ bias) for the active backend: the host kernel where it is registered, else the backend's own matMul
 * on a temporary copy of M (plain wasm or cpu with C2I_BLAS=off: slower, same values up to the kernels' rounding).
 */
export function hostMatMul(x: tf.Tensor2D, m: HostMatrix, transpose: boolean, bias?: tf.Tensor): tf.Tensor2D {
  if (registered.has(tf.getBackend())) {
    const inputs = (bias ? { x, bias } : { x }) as unknown as tf.NamedTensorMap;
    return tf.engine().runKernel(HOST_MATMUL, inputs, { matrix: m, transpose } as unknown as NamedAttrMap) as tf.Tensor2D;
  }
  return tf.tidy(() => {
    const w = tf.tensor2d(m.copy(), m.shape as [number, number]);
    const y = tf.matMul(x, w, false, transpose);
    return (bias ? tf.add(y, bias) : y) as tf.Tensor2D;
  });
}

/**
 * sum += dyᵀ·x in host memory ([out, in], row-major) when the active backend's host kernel is registered and
 * both tensors are plain float32 storage; false otherwise (the caller sums on the device).
 */
export function accumulateOnHost(dy: tf.Tensor2D, x: tf.Tensor2D, sum: Float32Array): boolean {
  const host = hostViews([dy, x]);
  if (host === undefined) return false;
  const [dyView, xView] = host.views;
  const [n, outCols] = dy.shape;
  const inCols = x.shape[1];
  host.blas.sgemm(true, false, outCols, inCols, n, 1, dyView!, outCols, xView!, inCols, 1, sum, inCols);
  return true;
}

/**
 * The active backend's OpenBLAS and views of the tensors' float32 storage (valid until the backend allocates
 * again), or undefined when the host kernel is not registered or a tensor is not plain float32 storage.
 */
export function hostViews(tensors: readonly tf.Tensor[]): { blas: OpenBlas; views: Float32Array[] } | undefined {
  const r = registered.get(tf.getBackend());
  if (r === undefined) return undefined;
  const views = viewsFor(r.backendName)(tf.backend(), tensors);
  if (views.some((v) => v === undefined)) return undefined;
  return { blas: r.blas, views: views as Float32Array[] };
}

/** Whether the active backend multiplies by host matrices in place (models then keep their weights on the host). */
export function hostKernelActive(): boolean {
  return registered.has(tf.getBackend());
}
