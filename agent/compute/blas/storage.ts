// Zero-copy access to a tfjs backend's own float32 storage: views into the wasm heap, or the cpu backend's arrays.
import type { TensorInfo } from "@tensorflow/tfjs";

/** The backend names whose storage we know how to address. */
export const BLAS_BACKENDS = ["wasm", "cpu"] as const;
export type BlasBackendName = (typeof BLAS_BACKENDS)[number];

export function isBlasBackendName(name: string): name is BlasBackendName {
  return (BLAS_BACKENDS as readonly string[]).includes(name);
}

/** Views valid until the backend allocates again (a wasm heap may grow and move). */
export interface PreparedBuffers {
  out: TensorInfo;
  outView: Float32Array;
  /** One view per input, in the order given; undefined where the storage is not a float32 array. */
  views: (Float32Array | undefined)[];
}

/** Allocates a float32 output of `outShape` on `backend`, then views the inputs' and output's storage. */
export type PrepareBuffers = (backend: unknown, inputs: readonly TensorInfo[], outShape: number[]) => PreparedBuffers;

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Subset of tfjs-backend-wasm's BackendWasm we rely on (backend_wasm.ts in tfjs 4.22). */
interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number; shape: number[]; dtype: string } | undefined };
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
}

/** Subset of tfjs-backend-cpu's MathBackendCPU we rely on (backend_cpu.ts in tfjs 4.22). */
interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): TensorInfo;
}

/** Views of existing tensors' float32 storage (undefined where it is not float32), valid until the backend allocates again. */
export type ViewStorage = (backend: unknown, infos: readonly TensorInfo[]) => (Float32Array | undefined)[];

const viewWasm: ViewStorage = (backend, infos) => {
  const wasm = backend as WasmBackendLike;
  const heap = wasm.wasm.HEAPU8.buffer;
  return infos.map((info) => {
    const entry = wasm.dataIdMap.get(info.dataId);
    if (!entry || info.dtype !== "float32") return undefined;
    return new Float32Array(heap, entry.memoryOffset, sizeOf(info.shape));
  });
};

const viewCpu: ViewStorage = (backend, infos) =>
  infos.map((info) => {
    const values = (backend as CpuBackendLike).data.get(info.dataId)?.values;
    return info.dtype === "float32" && values instanceof Float32Array ? values : undefined;
  });

function prepareWasm(backend: unknown, inputs: readonly TensorInfo[], outShape: number[]): PreparedBuffers {
  // Allocate first: malloc may grow the heap, which replaces HEAPU8's buffer and detaches older views.
  const out = (backend as WasmBackendLike).makeOutput(outShape, "float32");
  const [outView, ...views] = viewWasm(backend, [out, ...inputs]);
  return { out, outView: outView!, views };
}

function prepareCpu(backend: unknown, inputs: readonly TensorInfo[], outShape: number[]): PreparedBuffers {
  const outView = new Float32Array(sizeOf(outShape));
  // makeTensorInfo stores the array by reference, so the GEMM writes straight into the tensor's storage.
  const out = (backend as CpuBackendLike).makeTensorInfo(outShape, "float32", outView);
  return { out, outView, views: viewCpu(backend, inputs) };
}

export function storageFor(backendName: BlasBackendName): PrepareBuffers {
  return backendName === "wasm" ? prepareWasm : prepareCpu;
}

export function viewsFor(backendName: BlasBackendName): ViewStorage {
  return backendName === "wasm" ? viewWasm : viewCpu;
}

/**
 * Copies a bias row into every row of an output before a product is added onto it (sgemm with beta = 1): how the
 * BLAS kernels apply a per-column bias without a pass over the output afterwards.
 */
export function fillRowsWith(out: Float32Array, row: Float32Array): void {
  for (let at = 0; at < out.length; at += row.length) out.set(row, at);
}
