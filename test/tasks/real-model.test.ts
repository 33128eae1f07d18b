// The task layer on real tiny checkpoints (GPT-2, Llama, BERT) loaded by agent/models, on the cpu and wasm backends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { loadModel } from "../../agent/models/load.ts";
import type { LanguageModel } from "../../agent/models/types.ts";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { evaluateTask, gradientPass } from "../../agent/tasks/run.ts";
import type { ChoiceRow, Dataset } from "../../agent/tasks/dataset.ts";
import { TEST_BACKENDS, useBackend } from "../models/backends.ts";
import { removeDir, tinyModels, writeTinyCheckpoint } from "../models/fixtures.ts";
import { tempDir, writeBertTokenizer } from "../tokenizers/fixtures.ts";

const tmp = tempDir("real-model");
let tokenizer: Tokenizer;
beforeAll(async () => {
  // 24 word-level tokens: fits the tiny checkpoints' 29-token vocabulary.
  tokenizer = await loadTokenizer(writeBertTokenizer(join(tmp.dir, "tok")));
});
afterAll(() => tmp.remove());

const facts: [string, string][] = [
  ["the capital of france is", "paris"], ["the capital of germany is", "berlin"], ["the sky is", "blue"], ["the grass is", "green"],
  ["paris is a", "city in europe"], ["london is a", "city"], ["berlin is a city in", "europe"], ["the", "sky is blue"],
];
const answers: Dataset = { source: "facts.jsonl", protocol: "answer", rows: facts.map(([prompt, answer], i) => ({ prompt, answer, line: i + 1 })) };
const masks: Dataset = { source: "masks.jsonl", protocol: "answer", rows: facts.map(([prompt, answer], i) => ({ prompt: `${prompt} <mask>.`, answer, line: i + 1 })) };
const choices: Dataset = {
  source: "choices.jsonl",
  protocol: "choice",
  rows: facts.map(([prompt, answer], i) => ({ prompt, choices: [answer, facts[(i + 3) % facts.length]![1]], label: i % 2, line: i + 1 })),
};
const all = (d: Dataset) => d.rows.map((_, i) => i);

/** Mean answer NLL of one unpadded sequence straight from logitsAt: no batching, no protocol code. */
function directLoss(model: LanguageModel, ids: number[], positions: number[], targets: number[]): number {
  return tf.tidy(() => {
    const batch = { ids: Int32Array.from(ids), mask: new Int32Array(ids.length).fill(1), batch: 1, length: ids.length };
    const logp = tf.logSoftmax(model.logitsAt(batch, Int32Array.from(positions))).arraySync() as number[][];
    return -targets.reduce((acc, t, i) => acc + logp[i]![t]!, 0) / targets.length;
  });
}

describe.each(TEST_BACKENDS)("on the %s backend", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  const picked = tinyModels().filter((m) => ["gpt2", "llama (GQA, tied)", "bert"].includes(m.name));
  describe.each(picked.map((m) => [m.name, m] as const))("%s", (_name, tiny) => {
    let dir = "";
    let model: LanguageModel;
    let datasets: Dataset[];
    beforeAll(async () => {
      dir = writeTinyCheckpoint(tiny);
      model = await loadModel(dir);
      const maskedChoices: Dataset = { ...choices, protocol: "choice", rows: choices.rows.map((r) => ({ ...(r as ChoiceRow), prompt: `${r.prompt} <mask>` })) };
      datasets = model.config.causal ? [answers, choices] : [masks, maskedChoices];
    });
    afterAll(() => {
      model?.dispose();
      removeDir(dir);
    });

    it("scores each answer sample as the model scores its unpadded sequence", () => {
      const data = datasets[0]!;
      const r = evaluateTask(model, tokenizer, data, all(data), { batchSize: 3 });
      data.rows.forEach((row, i) => {
        const { prompt, answer } = row as { prompt: string; answer: string };
        const a = tokenizer.encode(answer);
        let ids: number[];
        let positions: number[];
        if (model.config.causal) {
          const p = [tokenizer.bos!, ...tokenizer.encode(prompt)];
          ids = [...p, ...a];
          positions = a.map((_, j) => p.length + j - 1);
        } else {
          const p = tokenizer.encode(prompt.replace("<mask>", "[MASK]"));
          const at = p.indexOf(tokenizer.mask!);
          ids = [tokenizer.bos!, ...p.slice(0, at), ...a.map(() => tokenizer.mask!), ...p.slice(at + 1), tokenizer.eos!];
          positions = a.map((_, j) => 1 + at + j);
        }
        expect(r.perSample[i]!.loss).toBeCloseTo(directLoss(model, ids, positions, a), 4);
      });
    });

    it("sums micro-batch gradients to the one-batch gradient, with the evaluated loss", () => {
      const names = model.candidates.slice(0, 2).map((c) => c.name);
      for (const data of datasets) {
        const whole = gradientPass(model, tokenizer, data, all(data), names, { batchSize: 64 });
        const micro = gradientPass(model, tokenizer, data, all(data), names, { batchSize: 3 });
        expect(whole.loss).toBeCloseTo(evaluateTask(model, tokenizer, data, all(data)).loss, 4);
        expect(micro.loss).toBeCloseTo(whole.loss, 4);
        for (const [n, g] of whole.grads) {
          const m = micro.grads.get(n)!;
          const scale = Math.max(...g.map(Math.abs));
          expect(scale).toBeGreaterThan(0);
          g.forEach((v, i) => expect(Math.abs(v - m[i]!)).toBeLessThan(1e-4 * scale));
        }
      }
    });

    it("keeps tf.memory() flat across repeated evaluations", () => {
      const data = datasets[datasets.length - 1]!;
      evaluateTask(model, tokenizer, data, all(data));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) evaluateTask(model, tokenizer, data, all(data), { batchSize: 4 });
      gradientPass(model, tokenizer, data, all(data), [model.candidates[0]!.name], { batchSize: 4 });
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
