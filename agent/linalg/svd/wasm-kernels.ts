// Compiles our generated WebAssembly SIMD kernels once and binds them to a workspace's memory.
import { assemble } from "./wasm-emit.ts";
import { xyKernel, zyKernel } from "./wasm-gemm.ts";
import { bidiagKernel } from "./wasm-bidiagonal.ts";
import { rotKernel } from "./wasm-rotations.ts";

/** (x, ldb, rows, cw, yt, ysb, nb, w|z): see wasm-gemm.ts. */
export type GemmKernel = (x: number, ldb: number, rows: number, cw: number, yt: number, ysb: number, nb: number, w: number) => void;
/** (a, ldb, colBytes, sweeps, count, rot): see wasm-rotations.ts. */
export type RotKernel = (a: number, ldb: number, colBytes: number, sweeps: number, count: number, rot: number) => void;

/** (o, ldb, rows, width, v, f, w, acc, tau): see wasm-bidiagonal.ts. */
export type BidiagKernel = (o: number, ldb: number, rows: number, width: number, v: number, f: number, w: number, acc: number, tau: number) => void;

/** The kernels and the buffer (one WebAssembly memory) whose byte addresses they take. */
export interface Kernels {
  xy: GemmKernel;
  zy: GemmKernel;
  rot: RotKernel;
  bidiag: BidiagKernel;
  buffer: ArrayBuffer;
}

/** The part of the WebAssembly JS API used here (tsconfig's libs do not declare it); absent on runtimes without it. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: { env: { memory: WasmMemory } }) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** A compiled kernel module (opaque). */
export type KernelModule = { readonly kind: "c2i-svd-kernels"; readonly module: object };

/** Compiles the kernels (about a millisecond); undefined where WebAssembly SIMD is unavailable, so callers use JavaScript loops. */
export function compileKernels(): KernelModule | undefined {
  if (!wasmApi) return undefined;
  try {
    return { kind: "c2i-svd-kernels", module: new wasmApi.Module(assemble([xyKernel(), zyKernel(), rotKernel(), bidiagKernel()])) };
  } catch {
    return undefined;
  }
}

/** A fresh memory of `pages` 64 KiB pages (never grown) with the kernels bound to it. */
export function bindKernels(compiled: KernelModule, pages: number): Kernels {
  const api = wasmApi as WasmApi;
  const memory = new api.Memory({ initial: pages, maximum: pages });
  const { exports } = new api.Instance(compiled.module, { env: { memory } });
  return { xy: exports.xy as GemmKernel, zy: exports.zy as GemmKernel, rot: exports.rot as RotKernel, bidiag: exports.bidiag as BidiagKernel, buffer: memory.buffer };
}
