// Weights in host memory (issue 16): the host kernel's products against float64, models stored as BF16/F16 read in
// place against the same model held on the backend, edits never rounded, and the heap holding no matrix.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { hostGemm } from "../../agent/compute/blas/host-matmul.ts";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { decodeBF16, decodeF16, encodeBF16, encodeF16, type StoredFloats } from "../../agent/checkpoint/dtype.ts";
import { writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { HostMatrix } from "../../agent/models/host-matrix.ts";
import { StoredLayout } from "../../agent/models/layout.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import { silentLogger } from "../../common/log.ts";
import { blasMissing } from "../blas/backends.ts";
import { crossEntropyLoss, normalSampler, removeDir, tinyBatch, tinyModels, writeTinyCheckpoint } from "./fixtures.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const DTYPES = ["F32", "BF16", "F16"] as const;

/** `values` stored as `dtype`, and the float32 values that storage holds exactly. */
function stored(values: Float32Array, dtype: (typeof DTYPES)[number]): { floats: StoredFloats; exact: Float32Array } {
  if (dtype === "F32") return { floats: { dtype, data: values }, exact: values };
  const words = new Uint16Array(values.length);
  (dtype === "BF16" ? encodeBF16 : encodeF16)(values, words);
  const exact = new Float32Array(values.length);
  (dtype === "BF16" ? decodeBF16 : decodeF16)(words, exact);
  return { floats: { dtype, data: words }, exact };
}

describe.skipIf(blasMissing !== undefined)("hostGemm: x·op(M) on a host matrix, widened a few rows at a time", () => {
  const blas = blasMissing === undefined ? loadOpenBlas() : undefined;
  const rnd = normalSampler(7);
  const [rows, cols, n] = [11, 9, 5];
  const m = Float32Array.from({ length: rows * cols }, rnd);
  const x = { t: Float32Array.from({ length: n * cols }, rnd), n: Float32Array.from({ length: n * rows }, rnd) };
  const start = Float32Array.from({ length: n * Math.max(rows, cols) }, rnd);

  it.each(DTYPES.flatMap((d) => [true, false].flatMap((t) => [0, 1].flatMap((beta) => [1, 3, 11, 64].map((step) => [d, t, beta, step] as const)))))(
    "%s, transposed %s, beta %i, %i rows per step: equals the float64 product of the stored values",
    (dtype, transpose, beta, step) => {
      const { floats, exact } = stored(m, dtype);
      const host = new HostMatrix("m", [rows, cols], StoredLayout.linear, floats);
      const k = transpose ? cols : rows;
      const outCols = transpose ? rows : cols;
      const input = transpose ? x.t : x.n;
      const out = start.slice(0, n * outCols);
      hostGemm(blas!, input, n, host, transpose, out, beta as 0 | 1, step);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < outCols; j++) {
          let ref = beta === 1 ? start[i * outCols + j]! : 0;
          for (let p = 0; p < k; p++) ref += input[i * k + p]! * (transpose ? exact[j * cols + p]! : exact[p * cols + j]!);
          expect(Math.abs(out[i * outCols + j]! - ref)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref)));
        }
      }
    },
  );
});

describe("HostMatrix.replace keeps the stored dtype only when it is exact", () => {
  it.each(["BF16", "F16"] as const)("%s: the original written back stays 16-bit; an edit that needs float32 becomes F32, unrounded", (dtype) => {
    const rnd = normalSampler(3);
    const { floats, exact } = stored(Float32Array.from({ length: 24 }, rnd), dtype);
    const host = new HostMatrix("m", [4, 6], StoredLayout.linear, floats);
    host.replace(exact);
    expect(host.dtype).toBe(dtype);
    expect(host.bytes).toBe(48);
    expect(host.copy()).toEqual(exact);
    const edit = exact.map((v) => v * (1 + 2 ** -20));
    host.replace(edit);
    expect(host.dtype).toBe("F32");
    expect(host.copy()).toEqual(edit);
  });
});

/** A tiny model's checkpoint with every 2-D tensor stored as `dtype` (vectors stay F32, as real checkpoints vary). */
function writeAs(dtype: (typeof DTYPES)[number], name: string): string {
  const tiny = tinyModels().find((m) => m.name === name)!;
  const dir = writeTinyCheckpoint(tiny);
  writeCheckpoint(dir, [...tiny.weights].map(([n, t]) => ({ name: n, shape: t.shape, data: t.data, dtype: t.shape.length === 2 ? dtype : "F32" })));
  writeFileSync(join(dir, "config.json"), JSON.stringify(tiny.config));
  return dir;
}

const VARIANTS = [
  { prefer: "wasm", blas: "auto" },
  { prefer: "cpu", blas: "auto" },
  { prefer: "wasm", blas: "off" },
] as const;

describe.each(VARIANTS.filter((v) => !(blasMissing !== undefined && v.blas === "auto")))("weights in host memory on $prefer (BLAS $blas)", (variant) => {
  beforeAll(async () => {
    await selectBackend({ prefer: variant.prefer, blas: variant.blas, blasThreads: 1, logger: silentLogger() });
  });

  describe.each(DTYPES.flatMap((d) => ["gpt2", "llama (GQA, tied)", "bert"].map((n) => [d, n] as const)))("%s %s", (dtype, name) => {
    let dir = "";
    let host: TransformerModel;
    let resident: TransformerModel;
    beforeAll(async () => {
      dir = writeAs(dtype, name);
      host = await loadModel(dir, { weightsOnHost: true });
      resident = await loadModel(dir, { weightsOnHost: false });
    });
    afterAll(() => {
      host?.dispose();
      resident?.dispose();
      removeDir(dir);
    });

    const batch = tinyBatch();
    const positions = Int32Array.from([2, 4, 7]);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      const scale = Math.max(...Array.from(b, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(2e-5 * scale);
    };

    it("computes the logits and the candidates' gradients the resident model computes", () => {
      const logits = (m: TransformerModel) => tf.tidy(() => m.logitsAt(batch, positions).dataSync() as Float32Array);
      close(logits(host), logits(resident));
      const names = host.candidates.slice(0, 4).map((c) => c.name);
      const g = (m: TransformerModel) => m.gradients(names, crossEntropyLoss(m, batch, positions, [1, 2, 3]));
      const [gh, gr] = [g(host), g(resident)];
      expect(Math.abs(gh.value - gr.value)).toBeLessThanOrEqual(1e-5 * Math.abs(gr.value));
      for (const n of names) close(gh.grads.get(n)!, gr.grads.get(n)!);
    });

    it("holds no matrix on the backend, and reads and writes matrices exactly", () => {
      expect(host.weightsOnHost).toBe(true);
      expect(host.weightBytes!).toBeLessThan(resident.weightBytes! / 2);
      // 16-bit matrices stay 16-bit in host memory.
      const matrixBytes = resident.weightBytes! - host.weightBytes!;
      expect(host.hostWeightBytes).toBe(dtype === "F32" ? matrixBytes : matrixBytes / 2);
      const info = host.candidates[0]!;
      const original = host.readMatrix(info.name);
      expect(original).toEqual(resident.readMatrix(info.name));
      const before = tf.tidy(() => host.logitsAt(batch, positions).dataSync() as Float32Array);
      const edit = original.map((v, i) => (i % 3 === 0 ? 0 : v * 1.001));
      host.writeMatrix(info.name, edit);
      expect(host.readMatrix(info.name)).toEqual(edit);
      resident.writeMatrix(info.name, edit);
      close(tf.tidy(() => host.logitsAt(batch, positions).dataSync() as Float32Array), tf.tidy(() => resident.logitsAt(batch, positions).dataSync() as Float32Array));
      host.writeMatrix(info.name, original);
      resident.writeMatrix(info.name, original);
      expect(tf.tidy(() => host.logitsAt(batch, positions).dataSync() as Float32Array)).toEqual(before);
      const state = host.stateDict();
      const reference = resident.stateDict();
      for (const [n, t] of reference) expect(state.get(n)!.data).toEqual(t.data);
      const one = host.stateDict([info.name]);
      expect([...one.keys()]).toEqual([info.name]);
      expect(one.get(info.name)!.data).toEqual(state.get(info.name)!.data);
    });
  });
});
