// Where the TypeScript SVD's large work arrays live: in one WebAssembly memory, so the SIMD kernels can reach them.
import { bindKernels, type KernelModule, type Kernels } from "./wasm-kernels.ts";

/**
 * A bump allocator of float64 arrays for one SVD. With kernels, every array is a view of one
 * WebAssembly memory sized up front and never grown (growing would detach the views, and any
 * detach slows every typed-array loop in the isolate — bench/svd/latest.md).
 */
export interface Workspace {
  /** A zeroed array of n doubles, 16-byte aligned. */
  take(n: number): Float64Array;
  /** The SIMD kernels and the buffer they address; absent when the JavaScript loops must run. */
  readonly kernels?: Kernels;
}

/** Plain JavaScript arrays: for runtimes without WebAssembly SIMD, and for comparison. */
export class HeapWorkspace implements Workspace {
  take(n: number): Float64Array {
    return new Float64Array(n);
  }
}

/** Largest memory a workspace asks for: byte addresses must stay below 2³¹ for the kernels' signed i32 arithmetic. */
const maxBytes = 2 ** 31 - 2 ** 16;

/**
 * Owns one WebAssembly memory with the kernels bound to it and lends it to one SVD at a time
 * (decompose is synchronous). It is replaced, never grown, when a larger SVD comes, so a
 * TypeScriptSvd holds on to the memory of the largest SVD it has run (tens of MB for a 3072×768; not benchmarked).
 */
export class KernelArena {
  private kernels: Kernels | undefined;
  private pages = 0;

  constructor(private readonly compiled: KernelModule | undefined) {}

  /**
   * A workspace holding arrays of the given sizes (each rounded up to an even count), or a heap
   * one when there is no compiled module or the total is beyond what the kernels address.
   * The previous workspace of this arena must no longer be in use.
   */
  workspace(sizes: number[]): Workspace {
    const doubles = sizes.reduce((a, n) => a + n + (n & 1), 0);
    if (!this.compiled || doubles * 8 > maxBytes) return new HeapWorkspace();
    const pages = Math.ceil((doubles * 8) / 65536) || 1;
    if (!this.kernels || pages > this.pages) {
      this.kernels = undefined;
      try {
        this.kernels = bindKernels(this.compiled, pages);
        this.pages = pages;
      } catch {
        return new HeapWorkspace();
      }
    }
    return new WasmWorkspace(this.kernels, (this.pages * 65536) / 8);
  }
}

/** Views of an arena's memory, handed out front to back and zeroed as they are taken. */
class WasmWorkspace implements Workspace {
  private used = 0;

  constructor(
    readonly kernels: Kernels,
    private readonly capacity: number,
  ) {}

  take(n: number): Float64Array {
    if (this.used + n > this.capacity) {
      throw new RangeError(`workspace: ${n} doubles asked with ${this.capacity - this.used} left; the size list given to the arena is short`);
    }
    const view = new Float64Array(this.kernels.buffer, this.used * 8, n).fill(0);
    this.used += n + (n & 1);
    return view;
  }
}
