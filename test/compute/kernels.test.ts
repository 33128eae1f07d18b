// The wasm gap kernels agree with the cpu backend's own kernels, including gradients through them.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { isTransposedBatchMatMul } from "../../agent/compute/kernels/batch_mat_mul_transposed.ts";
import { registerGapKernels } from "../../agent/compute/kernels/register.ts";
import { replaceKernelOnce } from "../../agent/compute/kernels/replace.ts";
import { silentLogger } from "../../common/log.ts";

async function on<T>(backend: "cpu" | "wasm", f: () => T): Promise<T> {
  await selectBackend({ prefer: backend, blas: "off", logger: silentLogger() });
  let result: T | undefined;
  tf.tidy(() => {
    result = f();
  });
  return result as T;
}

function values(seed: number, n: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!)));
}

describe("UnsortedSegmentSum on wasm", () => {
  it("sums rows by segment id like the cpu backend, dropping ids outside [0, numSegments)", async () => {
    const ids = Int32Array.from([2, 0, 2, -1, 5, 1, 0]);
    const run = () => tf.unsortedSegmentSum(tf.tensor3d(values(3, 7 * 3 * 2), [7, 3, 2]), tf.tensor1d(ids, "int32"), 4).arraySync();
    const expected = await on("cpu", run);
    const actual = await on("wasm", run);
    expect(actual).toEqual(expected.map((r) => r.map((c) => c.map((v) => expect.closeTo(v, 5)))));
  });

  it("handles int32 data like cpu, and multi-dimensional segment ids with TensorFlow's semantics", async () => {
    const data = Int32Array.from({ length: 24 }, (_, i) => i - 7);
    const flat = () => tf.unsortedSegmentSum(tf.tensor2d(data, [6, 4], "int32"), tf.tensor1d([1, 0, 1, 2, 2, 0], "int32"), 3).arraySync();
    expect(await on("wasm", flat)).toEqual(await on("cpu", flat));
    // tfjs's cpu kernel accepts only 1-D ids; TensorFlow sums x[i, j, :] into out[ids[i, j], :].
    const ids = [[1, 0, 1], [2, 2, 0]];
    const expected = [0, 1, 2].map((s) => [0, 1, 2, 3].map((k) => ids.flat().reduce((acc, id, ij) => acc + (id === s ? data[ij * 4 + k]! : 0), 0)));
    const nested = () => tf.unsortedSegmentSum(tf.tensor3d(data, [2, 3, 4], "int32"), tf.tensor2d(ids, [2, 3], "int32") as unknown as tf.Tensor1D, 3).arraySync();
    expect(await on("wasm", nested)).toEqual(expected);
  });

  it("makes the gradient of gather (an embedding lookup) available and equal to cpu's", async () => {
    const table = values(5, 10 * 4);
    const run = () => {
      const w = tf.tensor2d(table, [10, 4]);
      const idx = tf.tensor1d([3, 3, 7, 0, 9], "int32");
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, idx), tf.range(1, 21).reshape([5, 4]))))(w).dataSync().slice();
    };
    expectClose(await on("wasm", run), await on("cpu", run));
  });
});

describe("transposed BatchMatMul on wasm", () => {
  const cases: { a: number[]; b: number[] }[] = [
    { a: [7, 5], b: [5, 3] },
    { a: [1, 9], b: [9, 1] },
    { a: [4, 6, 5], b: [4, 5, 2] },
    { a: [1, 6, 5], b: [3, 5, 2] }, // broadcast batch
    { a: [2, 2, 3, 4], b: [2, 2, 4, 3] },
    { a: [3, 0, 4], b: [3, 4, 2] }, // empty dimension
  ];
  for (const { a, b } of cases) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`multiplies [${a}] by [${b}] with transposeA=${ta}, transposeB=${tb} like cpu`, async () => {
        const shapeA = ta ? [...a.slice(0, -2), a[a.length - 1]!, a[a.length - 2]!] : a;
        const shapeB = tb ? [...b.slice(0, -2), b[b.length - 1]!, b[b.length - 2]!] : b;
        const dataA = values(7, shapeA.reduce((x, y) => x * y, 1));
        const dataB = values(11, shapeB.reduce((x, y) => x * y, 1));
        const run = () => {
          const out = tf.matMul(tf.tensor(dataA, shapeA), tf.tensor(dataB, shapeB), ta, tb);
          return { shape: out.shape, data: out.dataSync().slice() };
        };
        const expected = await on("cpu", run);
        const actual = await on("wasm", run);
        expect(actual.shape).toEqual(expected.shape);
        expectClose(actual.data, expected.data);
      });
    }
  }

  it("gives matMul gradients equal to cpu's (they use the transposed products)", async () => {
    const dataA = values(13, 6 * 5);
    const dataB = values(17, 5 * 4);
    const run = () => {
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))))([tf.tensor2d(dataA, [6, 5]), tf.tensor2d(dataB, [5, 4])]);
      return [...ga!.dataSync(), ...gb!.dataSync()];
    };
    expectClose(await on("wasm", run), await on("cpu", run));
  });

  it("is registered once however often start-up runs, and leaks no tensors", async () => {
    await on("wasm", () => 0);
    registerGapKernels("wasm");
    registerGapKernels("wasm");
    expect(isTransposedBatchMatMul(tf.getKernel(tf.BatchMatMul, "wasm")!.kernelFunc)).toBe(true);
    const before = tf.memory().numTensors;
    tf.tidy(() => tf.matMul(tf.ones([3, 4]), tf.ones([5, 4]), false, true)).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("zero-copy Identity on wasm", () => {
  it("clones share the buffer yet outlive the original, and values match cpu", async () => {
    const data = values(19, 12);
    const run = () => {
      const x = tf.tensor2d(data, [3, 4]);
      const y = tf.clone(x);
      x.dispose();
      return Array.from(tf.add(y, 1).dataSync());
    };
    expect(await on("wasm", run)).toEqual(await on("cpu", run));
  });

  it("frees the shared buffer only when the last reference goes", async () => {
    await on("wasm", () => 0);
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("_FusedMatMul on wasm (BLAS off)", () => {
  const cases: { name: string; a: number[]; b: number[]; tA: boolean; tB: boolean; bias?: number[]; act: "linear" | "relu" | "prelu" }[] = [
    { name: "dense layer, [n] bias (the native kernel's case)", a: [6, 9], b: [9, 5], tA: false, tB: false, bias: [5], act: "relu" },
    { name: "transposeA with a bias as large as the output (a running sum)", a: [9, 6], b: [9, 5], tA: true, tB: false, bias: [6, 5], act: "linear" },
    { name: "transposeB with a [n] bias", a: [6, 9], b: [5, 9], tA: false, tB: true, bias: [5], act: "linear" },
    { name: "batched with a broadcast [m, 1] bias and prelu", a: [2, 6, 9], b: [9, 5], tA: false, tB: false, bias: [6, 1], act: "prelu" },
  ];
  it.each(cases)("equals matMul + add + activation on cpu: $name", async ({ a, b, tA, tB, bias, act }) => {
    const run = () => {
      const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
      const x = tf.tensor(values(41, size(a)), a);
      const y = tf.tensor(values(42, size(b)), b);
      const biasT = bias && tf.tensor(values(43, size(bias)), bias);
      const prelu = act === "prelu" ? tf.tensor1d(values(44, 5)) : undefined;
      return Array.from(tf.fused.matMul({ a: x, b: y, transposeA: tA, transposeB: tB, bias: biasT, activation: act, preluActivationWeights: prelu }).dataSync());
    };
    const reference = await on("cpu", () => {
      const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
      let out = tf.matMul(tf.tensor(values(41, size(a)), a), tf.tensor(values(42, size(b)), b), tA, tB) as tf.Tensor;
      if (bias) out = tf.add(out, tf.tensor(values(43, size(bias)), bias));
      if (act === "relu") out = tf.relu(out);
      if (act === "prelu") out = tf.prelu(out, tf.tensor1d(values(44, 5)));
      return Array.from(out.dataSync());
    });
    expectClose(await on("wasm", run), reference);
  });
});

describe("GatherV2 on wasm (rows along axis 0)", () => {
  it("equals the cpu backend for embedding lookups, repeated indices, 2-D indices and int32 tables", async () => {
    const run = () => {
      const table = tf.tensor3d(values(51, 7 * 3 * 2), [7, 3, 2]);
      const ids = tf.tensor1d([6, 0, 3, 3, 1], "int32");
      const ids2 = tf.tensor2d([[2, 5], [0, 6]], [2, 2], "int32");
      const ints = tf.tensor2d(Int32Array.from({ length: 12 }, (_, i) => i * 3 - 5), [4, 3], "int32");
      return [tf.gather(table, ids).arraySync(), tf.gather(table, ids2).arraySync(), tf.gather(ints, tf.tensor1d([3, 0], "int32")).arraySync(), tf.gather(table, tf.tensor1d([], "int32")).shape];
    };
    expect(await on("wasm", run)).toEqual(await on("cpu", run));
  });

  it("leaves other axes to the stock kernel, and its gradient (UnsortedSegmentSum) matches cpu", async () => {
    const run = () => {
      const x = tf.tensor2d(values(52, 4 * 5), [4, 5]);
      const cols = tf.gather(x, tf.tensor1d([4, 1], "int32"), 1).dataSync();
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d([3, 3, 0], "int32")))))(x).dataSync();
      return [...cols, ...g];
    };
    expectClose(await on("wasm", run), await on("cpu", run));
  });

  it("refuses an index outside the table with tfjs' message", async () => {
    await expect(on("wasm", () => tf.gather(tf.ones([3, 2]), tf.tensor1d([1, 3], "int32")).dataSync())).rejects.toThrow(/index value 3 is not in \[0, 2\]/);
  });
});

describe("replacing a kernel once", () => {
  it("wraps a backend's kernel once, also when a BLAS-style kernel (blasOriginal) was registered over the wrapper", async () => {
    await on("cpu", () => 0);
    const name = "C2iTestReplaceOnce";
    const calls: string[] = [];
    const base: tf.KernelFunc = () => (calls.push("base"), { dataId: {}, shape: [], dtype: "float32" }) as tf.TensorInfo;
    tf.registerKernel({ kernelName: name, backendName: "cpu", kernelFunc: base });
    try {
      const mark = Symbol("test");
      let wraps = 0;
      const wrap = (inner: tf.KernelFunc): tf.KernelFunc => {
        wraps++;
        return (args) => (calls.push("wrapper"), inner(args));
      };
      expect(replaceKernelOnce(name, "cpu", mark, wrap)).toBe(true);
      expect(replaceKernelOnce(name, "cpu", mark, wrap)).toBe(true);
      const wrapped = tf.getKernel(name, "cpu")!;
      tf.unregisterKernel(name, "cpu");
      tf.registerKernel({ ...wrapped, kernelFunc: (args) => (calls.push("blas"), wrapped.kernelFunc(args)), blasOriginal: wrapped } as tf.KernelConfig);
      expect(replaceKernelOnce(name, "cpu", mark, wrap)).toBe(true);
      expect(wraps).toBe(1);
      tf.getKernel(name, "cpu")!.kernelFunc({ inputs: {}, backend: tf.backend(), attrs: {} } as never);
      expect(calls).toEqual(["blas", "wrapper", "base"]);
      expect(replaceKernelOnce("C2iNoSuchKernel", "cpu", mark, wrap)).toBe(false);
    } finally {
      tf.unregisterKernel(name, "cpu");
    }
  });
});
