// The real llama2.c models in ../shared/models, converted and run: deterministic fluent greedy text, sane perplexity.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertLlama2c } from "../../agent/checkpoint/llama2c/convert.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { useBackend } from "./backends.ts";

const MODELS = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/models");

/** llama2.c model files (*.bin other than tokenizer.bin) with a tokenizer.bin beside them, smallest first. */
function llama2cModels(): string[] {
  if (!existsSync(MODELS)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".bin") && e.name !== "tokenizer.bin" && existsSync(join(dir, "tokenizer.bin"))) found.push(p);
    }
  };
  walk(MODELS);
  return found.sort();
}

const models = llama2cModels();
if (models.length === 0) console.warn(`skipping real-model tests: no llama2.c models (*.bin + tokenizer.bin) under ${MODELS}`);

function greedy(model: TransformerModel, tok: Tokenizer, prompt: string, steps: number): number[] {
  const ids = [...(tok.addsBos && tok.bos != null ? [tok.bos] : []), ...tok.encode(prompt)];
  const start = ids.length;
  for (let s = 0; s < steps; s++) {
    const batch = { ids: Int32Array.from(ids), mask: new Int32Array(ids.length).fill(1), batch: 1, length: ids.length };
    const next = tf.tidy(() => tf.argMax(model.logitsAt(batch, Int32Array.from([ids.length - 1])), 1).dataSync()[0]!);
    ids.push(next);
  }
  return ids.slice(start);
}

describe.skipIf(models.length === 0)(`real llama2.c models in ${MODELS}`, () => {
  const path = models[0]!;
  let out = "";
  let model: TransformerModel;
  let tok: Tokenizer;

  beforeAll(async () => {
    await useBackend("wasm");
    out = mkdtempSync(join(tmpdir(), "c2i-real-"));
    convertLlama2c({ checkpoint: path, tokenizer: join(dirname(path), "tokenizer.bin"), out });
    model = await loadModel(out);
    tok = await loadTokenizer(out);
  });
  afterAll(() => {
    model?.dispose();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it("continues \"Once upon a time\" greedily with fluent-looking text of the requested length, identically on every run", () => {
    const first = greedy(model, tok, "Once upon a time", 30);
    const second = greedy(model, tok, "Once upon a time", 30);
    expect(first).toHaveLength(30);
    expect(second).toEqual(first);
    const text = tok.decode(first, { skipSpecial: true });
    console.log(`${path}: Once upon a time${text}`);
    const words = text.trim().split(/\s+/);
    expect(words.length).toBeGreaterThanOrEqual(8);
    expect(words.every((w) => w.length <= 20)).toBe(true);
    const letters = (text.match(/[A-Za-z ,.'!?"\n-]/g) ?? []).length;
    expect(letters / text.length).toBeGreaterThan(0.9);
  });

  it("has perplexity on plain sentences far below the uniform bound (the vocabulary size)", () => {
    const sentences = ["The little girl went to the park with her mom.", "He was very happy and smiled at his friend.", "The cat sat on the mat and looked at the bird."];
    let nll = 0;
    let count = 0;
    for (const s of sentences) {
      const ids = [...(tok.addsBos && tok.bos != null ? [tok.bos] : []), ...tok.encode(s)];
      const batch = { ids: Int32Array.from(ids), mask: new Int32Array(ids.length).fill(1), batch: 1, length: ids.length };
      const positions = Int32Array.from({ length: ids.length - 1 }, (_, i) => i);
      const logp = tf.tidy(() => tf.logSoftmax(model.logitsAt(batch, positions)).arraySync());
      logp.forEach((row, i) => {
        nll -= row[ids[i + 1]!]!;
        count++;
      });
    }
    const ppl = Math.exp(nll / count);
    console.log(`${path}: perplexity ${ppl.toFixed(2)} over ${count} tokens (uniform: ${model.config.vocabSize})`);
    expect(ppl).toBeLessThan(model.config.vocabSize / 10);
  });
});
