// registerBlasKernels: idempotent, restorable, and a no-op (with a reason) when disabled, unsupported or missing.
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { isBlasKernelConfig } from "../../agent/compute/blas/kernels.ts";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { BLAS_KERNEL_NAMES, blasKernelsActive, registerBlasKernels, unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { registerGapKernels } from "../../agent/compute/kernels/register.ts";
import { BACKENDS, blasMissing, useBackend } from "./backends.ts";

describe.skipIf(blasMissing !== undefined).each(BACKENDS)("registerBlasKernels on %s", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    unregisterBlasKernels(backend);
  });
  afterEach(() => {
    unregisterBlasKernels(backend);
  });

  it("replaces BatchMatMul and _FusedMatMul and reports the library and threads", () => {
    const originals = BLAS_KERNEL_NAMES.map((name) => tf.getKernel(name, backend));
    const reg = registerBlasKernels(backend);
    expect(reg.enabled).toBe(true);
    expect(reg.reason).toMatch(/cblas_sgemm from .*OpenBLAS.*, 1 thread$/);
    BLAS_KERNEL_NAMES.forEach((name, i) => {
      const config = tf.getKernel(name, backend);
      expect(isBlasKernelConfig(config) && config.blasOriginal).toBe(originals[i]);
    });
    // One thread unless asked otherwise: the thread count changes results (COMPUTE_THREADS).
    expect(reg.blas!.getThreads()).toBe(1);
  });

  it("is harmless when called twice: one layer, and one unregister restores the originals", () => {
    const originals = BLAS_KERNEL_NAMES.map((name) => tf.getKernel(name, backend));
    registerBlasKernels(backend, { threads: 1 });
    const second = registerBlasKernels(backend, { threads: 2 });
    expect(second.enabled).toBe(true);
    expect(second.blas!.getThreads()).toBe(2);
    // Loading OpenBLAS (as the LAPACK SVD does) pins the process's pool back to one thread.
    expect(loadOpenBlas().getThreads()).toBe(1);
    for (const name of BLAS_KERNEL_NAMES) {
      const config = tf.getKernel(name, backend);
      expect(isBlasKernelConfig(config) && !isBlasKernelConfig(config.blasOriginal)).toBe(true);
    }
    expect(unregisterBlasKernels(backend)).toBe(true);
    BLAS_KERNEL_NAMES.forEach((name, i) => expect(tf.getKernel(name, backend)).toBe(originals[i]));
    expect(blasKernelsActive(backend)).toBe(false);
    expect(unregisterBlasKernels(backend)).toBe(false);
  });

  it("keeps the backend's kernels when disabled by configuration", () => {
    const originals = BLAS_KERNEL_NAMES.map((name) => tf.getKernel(name, backend));
    const reg = registerBlasKernels(backend, { enabled: false });
    expect(reg).toEqual({ enabled: false, reason: expect.stringMatching(/disabled/) });
    BLAS_KERNEL_NAMES.forEach((name, i) => expect(tf.getKernel(name, backend)).toBe(originals[i]));
  });

  it("keeps the backend's kernels and names the path when the library is missing", () => {
    const reg = registerBlasKernels(backend, { library: "/nonexistent/libblas-missing.so" });
    expect(reg.enabled).toBe(false);
    expect(reg.reason).toMatch(/NOT_FOUND.*\/nonexistent\/libblas-missing\.so.*libopenblas0-pthread/);
    expect(blasKernelsActive(backend)).toBe(false);
  });

  it("still computes after restoring: the original kernel's setup survived the swap", () => {
    registerBlasKernels(backend);
    unregisterBlasKernels(backend);
    const out = tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.eye(2)).dataSync()));
    expect(out).toEqual([1, 2, 3, 4]);
  });
});

describe.skipIf(blasMissing !== undefined)("BLAS over the engine's wasm gap kernels (the order selectBackend uses)", () => {
  it("wraps the transposed-BatchMatMul fast path, computes transposes natively, and restores it on unregister", async () => {
    await useBackend("wasm");
    unregisterBlasKernels("wasm");
    const pristine = tf.getKernel("BatchMatMul", "wasm");
    registerGapKernels("wasm");
    const gap = tf.getKernel("BatchMatMul", "wasm");
    expect(gap).not.toBe(pristine);
    expect(registerBlasKernels("wasm").enabled).toBe(true);
    const active = tf.getKernel("BatchMatMul", "wasm");
    expect(isBlasKernelConfig(active) && active.blasOriginal).toBe(gap);
    tf.tidy(() => {
      const a = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 3, 2]);
      const b = tf.tensor3d([1, 0, 2, 1, 0, 1], [1, 2, 3]);
      // aᵀ = [[1,3,5],[2,4,6]], bᵀ = [[1,1],[0,0],[2,1]] → aᵀ·bᵀ = [[11, 6], [14, 8]]
      expect(Array.from(tf.matMul(a, b, true, true).dataSync())).toEqual([11, 6, 14, 8]);
    });
    unregisterBlasKernels("wasm");
    expect(tf.getKernel("BatchMatMul", "wasm")).toBe(gap);
  });
});

describe("registerBlasKernels on other backends", () => {
  it("never registers on tfjs-node's tensorflow backend (it has native BLAS already)", () => {
    const reg = registerBlasKernels("tensorflow");
    expect(reg.enabled).toBe(false);
    expect(reg.reason).toMatch(/"tensorflow" keeps its own/);
    expect(tf.getKernel("BatchMatMul", "tensorflow")).toBeUndefined();
  });

  it("rejects a thread count that is not a positive integer without registering", () => {
    const reg = registerBlasKernels("cpu", { threads: 0 });
    expect(reg.enabled).toBe(false);
    expect(reg.reason).toMatch(/INVALID_ARGUMENT.*threads/);
    expect(blasKernelsActive("cpu")).toBe(false);
  });
});
