// Uniform compression on the generated demo: neutral at ratio 1, exact rank and parameter accounting, a loadable checkpoint.
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { inputStatistics } from "../../agent/compress/statistics.ts";
import { compressModel, selectMatrices } from "../../agent/compress/uniform.ts";
import { writeEditedCheckpoint } from "../../agent/work/apply.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { LanguageModel } from "../../agent/models/types.ts";
import { loadDataset, type Dataset } from "../../agent/tasks/dataset.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { demoFixture, type DemoFixture } from "../work/fixture.ts";

let fx: DemoFixture;
let tokenizer: Tokenizer;
let dataset: Dataset;
let out: string;
const calibration = Array.from({ length: 24 }, (_, i) => i);
const evaluation = Array.from({ length: 48 }, (_, i) => 100 + i);

beforeAll(async () => {
  fx = await demoFixture();
  tokenizer = await loadTokenizer(fx.model);
  dataset = loadDataset(fx.dataset);
  out = mkdtempSync(join(tmpdir(), "c2i-compress-"));
});
afterAll(() => {
  fx?.cleanup();
  if (out) rmSync(out, { recursive: true, force: true });
});

async function withModel<T>(body: (m: LanguageModel) => T | Promise<T>): Promise<T> {
  const m = await loadModel(fx.model);
  try {
    return await body(m);
  } finally {
    m.dispose();
  }
}

describe("uniform compression", () => {
  it("reports every matrix input with the mask's real tokens, the same input for matrices that share it, and leaks no tensor", async () => {
    await withModel((model) => {
      const names = ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.v_proj.weight", "model.layers.1.mlp.gate_proj.weight", "model.layers.1.mlp.up_proj.weight", "model.layers.1.mlp.down_proj.weight"];
      const before = tf.memory().numTensors;
      const stats = inputStatistics(model, tokenizer, dataset, calibration, names, { run: {}, withGram: true });
      expect(tf.memory().numTensors).toBe(before);
      const q = stats.get(names[0]!)!;
      expect(q.count).toBeGreaterThan(calibration.length * 3);
      expect([...stats.get(names[1]!)!.absSum]).toEqual([...q.absSum]);
      expect([...stats.get(names[2]!)!.gram!]).toEqual([...stats.get(names[3]!)!.gram!]);
      expect(stats.get(names[4]!)!.cols).toBe(32);
      // Σ|x_j| ≤ √(count · Σx_j²) (Cauchy–Schwarz) ties the two statistics of one feature together
      for (let j = 0; j < q.cols; j++) expect(q.absSum[j]!).toBeLessThanOrEqual(Math.sqrt(q.count * q.gram![j * q.cols + j]!) * (1 + 1e-9));
    });
  });

  it("keeps every weight and the accuracy at ratio 1 for svd, fwsvd and asvd", async () => {
    for (const factorization of ["svd", "fwsvd", "asvd"] as const) {
      await withModel((model) => {
        const originals = new Map(model.candidates.map((c) => [c.name, model.readMatrix(c.name)]));
        const { report, weights } = compressModel(model, tokenizer, dataset, { ratio: 1, factorization, svd: fx.svd, calibration, evaluation, fisherChunk: 4 });
        expect(report.matrices.length).toBe(6);
        for (const [name, w] of weights) {
          const o = originals.get(name)!;
          let err = 0;
          for (let i = 0; i < o.length; i++) err = Math.max(err, Math.abs(o[i]! - w[i]!));
          expect(err, `${factorization} ${name}`).toBeLessThan(1e-4);
        }
        expect(report.after!.accuracy).toBe(report.before!.accuracy);
        expect(Math.abs(report.after!.loss - report.before!.loss)).toBeLessThan(1e-3);
      });
    }
  });

  it("truncates every MLP matrix to half its rank, counts low-rank parameters, and writes a checkpoint with the input's names and dtypes", async () => {
    await withModel(async (model) => {
      const { report } = compressModel(model, tokenizer, dataset, { ratio: 0.5, factorization: "asvd", asvd: { method: "cholesky" }, svd: fx.svd, calibration });
      expect(report.before).toBeUndefined();
      const mlp = selectMatrices(model.candidates, "mlp");
      expect(report.matrices.map((m) => m.name)).toEqual(mlp.map((m) => m.name));
      for (const m of report.matrices) {
        expect(m.keptRanks).toEqual([16]);
        expect(m.lowRankParameters).toBe(16 * (m.rows + m.cols));
      }
      expect(report.parameters.compressedDense).toBe(6 * 32 * 64);
      expect(report.parameters.candidatesAfter).toBe(report.parameters.candidates - 6 * 32 * 64 + 6 * 16 * 96);
      const state = model.stateDict();
      const stored = new Map(report.matrices.map((m) => [m.name, state.get(m.name)!.data]));
      const dir = join(out, "asvd");
      writeEditedCheckpoint(fx.model, dir, stored);
      expect(readdirSync(dir).sort()).toEqual(readdirSync(fx.model).sort());
      expect(readFileSync(join(dir, "config.json")).equals(readFileSync(join(fx.model, "config.json")))).toBe(true);
      const a = openCheckpoint(fx.model);
      const b = openCheckpoint(dir);
      try {
        expect(b.names()).toEqual(a.names());
        for (const n of a.names()) expect(b.entry(n).dtype).toBe(a.entry(n).dtype);
        const written = await loadModel(dir);
        try {
          for (const m of report.matrices) {
            const w = written.readMatrix(m.name);
            const mine = model.readMatrix(m.name);
            expect(Buffer.from(w.buffer).equals(Buffer.from(mine.buffer))).toBe(true);
          }
        } finally {
          written.dispose();
        }
      } finally {
        a.close();
        b.close();
      }
    });
  });

  it("compresses K-subspaces parts (K = 2) to the same ratio, each part keeping half its rank", async () => {
    await withModel((model) => {
      const { report } = compressModel(model, tokenizer, dataset, { ratio: 0.5, blocks: 2, clustering: "ksubspaces", svd: fx.svd });
      for (const m of report.matrices) {
        expect(m.keptRanks.length).toBe(2);
        // Σ_b k_b (rows_b + cols) with Σ_b rows_b = rows
        const sumK = m.keptRanks.reduce((a, k) => a + k, 0);
        expect(m.lowRankParameters).toBeGreaterThanOrEqual(sumK * m.cols + Math.min(...m.keptRanks) * m.rows);
        expect(m.lowRankParameters).toBeLessThanOrEqual(sumK * m.cols + Math.max(...m.keptRanks) * m.rows);
        for (const k of m.keptRanks) expect(k).toBeGreaterThanOrEqual(1);
      }
    });
  });

  it("refuses weighted factorizations without calibration samples and ratios outside (0, 1]", async () => {
    await withModel((model) => {
      expect(() => compressModel(model, tokenizer, undefined, { ratio: 0.5, factorization: "fwsvd", svd: fx.svd })).toThrow(/needs calibration samples/);
      expect(() => compressModel(model, tokenizer, dataset, { ratio: 0, svd: fx.svd })).toThrow(/must be in \(0, 1\]/);
    });
  });
});
