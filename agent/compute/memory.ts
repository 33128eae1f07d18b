// The hard memory limit of the active tfjs backend, where there is one c2i knows: the wasm heap.
import * as tf from "@tensorflow/tfjs";

/** emscripten's getHeapMax() in tfjs-backend-wasm 4.22: past it, an allocation aborts the whole module. */
export const WASM_HEAP_LIMIT_BYTES = 4294901760;

/**
 * Bytes the active backend can hold at most, or undefined when no fixed limit applies (the cpu backend
 * allocates from system memory; tfjs-node(-gpu) reports its own out-of-memory errors).
 */
export function tensorMemoryLimit(): number | undefined {
  return memoryLimitOf(tf.getBackend());
}

/** The hard limit of the tfjs backend named `backend` ("wasm", "cpu", "tensorflow"), as `tensorMemoryLimit`. */
export function memoryLimitOf(backend: string): number | undefined {
  return backend === "wasm" ? WASM_HEAP_LIMIT_BYTES : undefined;
}
