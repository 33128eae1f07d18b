// BatchMatMul through cblas_sgemm equals each backend's own kernel: shapes, transposes, broadcasting, empty dims.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { BACKENDS, blasMissing, expectClose, randn, useBackend, withAndWithoutBlas } from "./backends.ts";

interface Case {
  name: string;
  aBatch: number[];
  bBatch: number[];
  m: number;
  k: number;
  n: number;
}

const CASES: Case[] = [
  { name: "1×1 by 1×1", aBatch: [], bBatch: [], m: 1, k: 1, n: 1 },
  { name: "plain 2-D", aBatch: [], bBatch: [], m: 4, k: 6, n: 5 },
  { name: "odd sizes", aBatch: [], bBatch: [], m: 17, k: 33, n: 65 },
  { name: "row vector times matrix", aBatch: [], bBatch: [], m: 1, k: 31, n: 7 },
  { name: "matrix times column vector", aBatch: [], bBatch: [], m: 9, k: 13, n: 1 },
  { name: "equal batches", aBatch: [3], bBatch: [3], m: 5, k: 7, n: 4 },
  { name: "batch 1 vs N (A shared)", aBatch: [1], bBatch: [3], m: 5, k: 7, n: 4 },
  { name: "batch N vs 1 (B shared)", aBatch: [3], bBatch: [1], m: 5, k: 7, n: 4 },
  { name: "rank 3 by rank 2 (linear layer)", aBatch: [3], bBatch: [], m: 5, k: 7, n: 4 },
  { name: "rank 4 by rank 2", aBatch: [2, 3], bBatch: [], m: 3, k: 5, n: 6 },
  { name: "rank 2 by rank 4", aBatch: [], bBatch: [2, 3], m: 3, k: 5, n: 6 },
  { name: "rank 4 equal batches (attention heads)", aBatch: [2, 3], bBatch: [2, 3], m: 4, k: 8, n: 4 },
  { name: "empty rows", aBatch: [], bBatch: [], m: 0, k: 3, n: 4 },
  { name: "empty columns", aBatch: [2], bBatch: [2], m: 3, k: 3, n: 0 },
  { name: "empty inner dimension gives zeros", aBatch: [2], bBatch: [], m: 3, k: 0, n: 4 },
  { name: "empty batch", aBatch: [0], bBatch: [0], m: 3, k: 2, n: 4 },
];

const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

const operands = (c: Case, tA: boolean, tB: boolean, seed: number): [tf.Tensor, tf.Tensor] => [
  randn([...c.aBatch, ...(tA ? [c.k, c.m] : [c.m, c.k])], seed),
  randn([...c.bBatch, ...(tB ? [c.n, c.k] : [c.k, c.n])], seed + 1),
];

describe.skipIf(blasMissing !== undefined).each(BACKENDS)("BLAS BatchMatMul on %s", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => {
    unregisterBlasKernels(backend);
  });

  for (const c of CASES) {
    for (const [tA, tB] of TRANSPOSES) {
      it(`equals the backend's kernel: ${c.name}, transposeA=${tA}, transposeB=${tB}`, () => {
        tf.tidy(() => {
          const [a, b] = operands(c, tA, tB, 7);
          const { original, blas } = withAndWithoutBlas(backend, () => tf.matMul(a, b, tA, tB));
          expectClose(blas, original);
        });
      });
    }
  }

  it("broadcasts batch dims that both stretch ([2,1] by [1,3]) like explicit broadcastTo", () => {
    tf.tidy(() => {
      const a = randn([2, 1, 3, 5], 1);
      const b = randn([1, 3, 5, 4], 2);
      const { original: reference, blas } = withAndWithoutBlas(backend, () => tf.matMul(a, b));
      unregisterBlasKernels(backend);
      const explicit = tf.matMul(tf.broadcastTo(a, [2, 3, 3, 5]), tf.broadcastTo(b, [2, 3, 5, 4]));
      expect(reference.shape).toEqual([2, 3, 3, 4]);
      expectClose(blas, explicit);
    });
  });

  it("reads operands that share storage with others (reshapes) and fresh slices", () => {
    tf.tidy(() => {
      const big = randn([6, 40], 3);
      const { original, blas } = withAndWithoutBlas(backend, () => {
        const a = big.slice([1, 3], [4, 21]).reshape([2, 2, 21]);
        const b = big.reshape([12, 20]).slice([2, 0], [10, 20]).transpose().slice([0, 0], [20, 10]).reshape([2, 10, 10]);
        return tf.matMul(a.slice([0, 0, 1], [2, 2, 10]), b, false, true);
      });
      expectClose(blas, original);
    });
  });

  it("writes the right values when allocating the output grows the wasm heap", () => {
    const heap = () => (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length ?? 0;
    const rows = Math.ceil(heap() / 4 / 1024) + 256; // an output larger than the whole current heap
    tf.tidy(() => {
      const a = randn([rows, 2], 5);
      const b = randn([2, 1024], 6);
      withAndWithoutBlas(backend, () => undefined);
      const before = heap();
      const blas = tf.matMul(a, b);
      if (backend === "wasm") expect(heap()).toBeGreaterThan(before);
      unregisterBlasKernels(backend);
      expectClose(blas, tf.matMul(a, b));
    });
  });

  it("leaves int32 matMul to the backend's kernel", () => {
    tf.tidy(() => {
      const a = tf.tensor2d([1, 2, 3, 4], [2, 2], "int32");
      const b = tf.tensor2d([5, 6, 7, 8], [2, 2], "int32");
      if (backend === "wasm") {
        // The wasm backend has no integer matMul of its own; our kernel must not pretend it does.
        withAndWithoutBlas(backend, () => undefined);
        expect(() => tf.matMul(a, b)).toThrow(/float32/);
        return;
      }
      const { original, blas } = withAndWithoutBlas(backend, () => tf.matMul(a, b));
      expect(blas.dtype).toBe("int32");
      expect(Array.from(blas.dataSync())).toEqual(Array.from(original.dataSync()));
    });
  });

  it("rejects mismatched inner dimensions with a SHAPE_MISMATCH naming both shapes", () => {
    withAndWithoutBlas(backend, () => undefined);
    tf.tidy(() => {
      expect(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 5]))).toThrow(/a\[2,3\].*b\[4,5\]/);
      expect(() => tf.matMul(tf.zeros([2, 2, 3]), tf.zeros([3, 3, 5]))).toThrow(/do not broadcast/);
    });
  });
});
