// The BLAS kernels own no tensors: tensor counts, tensor bytes and the wasm heap stay flat across repeated calls.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerBlasKernels, unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { BACKENDS, blasMissing, randn, useBackend } from "./backends.ts";

function heapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return backend.wasm ? backend.wasm.HEAPU8.length : 0;
}

describe.skipIf(blasMissing !== undefined).each(BACKENDS)("BLAS kernel memory on %s", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    registerBlasKernels(backend, { threads: 2 });
  });
  afterAll(() => {
    unregisterBlasKernels(backend);
  });

  it("keeps numTensors, numBytes and the wasm heap flat over repeated matMul, fused matMul and gradients", () => {
    const a = randn([4, 16, 32], 61);
    const b = randn([32, 24], 62);
    const bias = randn([24], 63);
    const step = () => {
      tf.matMul(a, b).dispose();
      tf.matMul(a, randn([4, 24, 32], 64), false, true).dispose();
      tf.fused.matMul({ a, b: tf.broadcastTo(b, [4, 32, 24]), bias, activation: "sigmoid" }).dispose();
      tf.tidy(() => tf.grads((x: tf.Tensor) => tf.sum(tf.matMul(x, b)))([a]));
    };
    tf.tidy(step);
    const before = { ...tf.memory(), heap: heapBytes() };
    for (let i = 0; i < 20; i++) tf.tidy(step);
    const after = { ...tf.memory(), heap: heapBytes() };
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(after.heap).toBe(before.heap);
    tf.dispose([a, b, bias]);
  });

  // The wasm backend has no integer matMul to fall back to.
  it.skipIf(backend === "wasm")("hands int32 matMul to the backend's kernel without leaking buffers", () => {
    const a = tf.ones([3, 3], "int32");
    tf.matMul(a, a).dispose();
    const before = tf.memory().numDataBuffers;
    for (let i = 0; i < 5; i++) tf.matMul(a, a).dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
    a.dispose();
  });
});
