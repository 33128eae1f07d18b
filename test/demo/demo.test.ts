// The generated demo: byte-deterministic, and its accuracy is what the construction predicts, before and after the edit.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { buildDemoModel, D, DEMO_EXPECTED, DEMO_SEED, FFN, HEAD_DIM, HEADS, LAYERS } from "../../agent/demo/construction.ts";
import { buildDemoRows } from "../../agent/demo/task.ts";
import { COLOURS } from "../../agent/demo/vocabulary.ts";
import { ensureDemo, writeDemo } from "../../agent/demo/write.ts";
import { factorBlocks, truncateBlocks } from "../../agent/linalg/blocks.ts";
import { fromFloat32 } from "../../agent/linalg/matrix.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { ShardExecutor } from "../../agent/work/executor.ts";
import { silentLogger } from "../../common/log.ts";
import type { EvaluateResult } from "../../common/shards.ts";
import { argmax, lastLogits, type Weights } from "./reference-llama.ts";

const demo = buildDemoModel();
const rows = buildDemoRows(demo.world, DEMO_SEED);
const cfg = { hidden: D, heads: HEADS, headDim: HEAD_DIM, ffn: FFN, layers: LAYERS, eps: 1e-5, theta: 10000 };
const subjectOf = (prompt: string) => demo.world.subjects.findIndex((s) => prompt.split(" ").includes(s));
/** The construction's prediction: a row is answered right unless its subject carries a rumour flag. */
const predictedRight = (prompt: string) => demo.world.groupOf[subjectOf(prompt)] === -1;
const svd = selectSvd({ prefer: "auto" });

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "c2i-demo-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function referenceAccuracy(weights: Weights, sample: typeof rows): number {
  let right = 0;
  for (const r of sample) {
    const ids = r.prompt.split(" ").map((t) => demo.vocab.id.get(t)!);
    if (argmax(lastLogits(cfg, weights, ids)) === demo.vocab.id.get(r.answer)) right++;
  }
  return right / sample.length;
}

function truncated(name: string, rate: number): Weights {
  const weights: Weights = new Map(demo.tensors.map((t) => [t.name, { shape: t.shape, data: t.data }]));
  const t = weights.get(name)!;
  const f = factorBlocks(fromFloat32(t.shape[0]!, t.shape[1]!, Float32Array.from(t.data)), 1, svd);
  weights.set(name, { shape: t.shape, data: truncateBlocks(f, rate).weight });
  return weights;
}

describe("the demo", () => {
  it("is byte-identical on every generation, with ≥ 1200 task rows", () => {
    const a = writeDemo(join(root, "a"));
    const b = writeDemo(join(root, "b"));
    expect(a.rows).toBeGreaterThanOrEqual(1200);
    const list = (dir: string) => readdirSync(dir).sort();
    expect(list(a.model)).toEqual(["config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
    for (const f of list(a.model)) expect(readFileSync(join(a.model, f)).equals(readFileSync(join(b.model, f))), f).toBe(true);
    expect(readFileSync(a.dataset).equals(readFileSync(b.dataset))).toBe(true);
  });

  it("uses each subject equally often and answers with one colour word", () => {
    const counts = new Map<number, number>();
    for (const r of rows) {
      counts.set(subjectOf(r.prompt), (counts.get(subjectOf(r.prompt)) ?? 0) + 1);
      expect(COLOURS).toContain(r.answer);
    }
    expect(new Set(counts.values())).toEqual(new Set([7]));
    expect(rows.filter((r) => predictedRight(r.prompt)).length / rows.length).toBe(DEMO_EXPECTED.baselineAccuracy);
  });

  it("has a tokenizer that @huggingface/tokenizers loads, one token per word, no BOS", async () => {
    const a = ensureDemo(join(root, "cache"));
    const tok = await loadTokenizer(a.model);
    expect(tok.addsBos).toBe(false);
    for (const r of rows.slice(0, 20)) {
      expect(tok.encode(r.prompt)).toEqual(r.prompt.split(" ").map((w) => demo.vocab.id.get(w)));
      expect(tok.encode(r.answer)).toEqual([demo.vocab.id.get(r.answer)]);
    }
    expect(ensureDemo(join(root, "cache"))).toEqual(a);
  });

  it("in a float64 reference forward: rumour subjects wrong, all others right; the planted edit fixes them, others hurt", () => {
    const sample = rows.slice(0, 210);
    const predicted = sample.filter((r) => predictedRight(r.prompt)).length / sample.length;
    const weights: Weights = new Map(demo.tensors.map((t) => [t.name, { shape: t.shape, data: t.data }]));
    expect(referenceAccuracy(weights, sample)).toBe(predicted);
    expect(referenceAccuracy(truncated(DEMO_EXPECTED.plantedMatrix, DEMO_EXPECTED.goodRate), sample)).toBe(1);
    expect(referenceAccuracy(truncated(DEMO_EXPECTED.plantedMatrix, 0.6), sample)).toBeLessThan(predicted);
    expect(referenceAccuracy(truncated("model.layers.0.mlp.gate_proj.weight", 0.2), sample)).toBeLessThan(predicted);
    expect(referenceAccuracy(truncated("model.layers.0.self_attn.v_proj.weight", 0.8), sample)).toBeLessThan(predicted);
  });

  it("on the real engine: baseline accuracy is the predicted one and the planted edit answers every row", async () => {
    await selectBackend({ prefer: "cpu", blas: "off", logger: silentLogger() });
    const paths = ensureDemo(join(root, "cache"));
    const ex = new ShardExecutor({ svd });
    const indices = Array.from({ length: 168 }, (_, i) => i);
    const r = (await ex.run({
      kind: "evaluate",
      shardId: "demo",
      ref: { jobId: "demo", model: paths.model, dataset: paths.dataset },
      samples: { name: "first", indices },
      candidates: [null, { matrix: DEMO_EXPECTED.plantedMatrix, blocks: 1, rate: DEMO_EXPECTED.goodRate }],
    })) as EvaluateResult;
    await ex.close();
    const predicted = indices.filter((i) => predictedRight(rows[i]!.prompt)).length / indices.length;
    expect(r.evaluations[0]!.accuracy).toBe(predicted);
    expect(r.evaluations[1]!.accuracy).toBe(DEMO_EXPECTED.editedAccuracy);
    expect(r.evaluations[1]!.loss).toBeLessThan(r.evaluations[0]!.loss);
  });
});
