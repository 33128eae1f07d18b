// The shared-prompt choice encoding gives every architecture the per-choice encoding's losses, correctness and gradients, to float32 rounding.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import type { ChoiceRow, Dataset } from "../../agent/tasks/dataset.ts";
import { EncodingCache } from "../../agent/tasks/encoding.ts";
import { encodedTaskFor, evaluateTask, gradientPass, type TaskRunOptions } from "../../agent/tasks/run.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { silentLogger } from "../../common/log.ts";
import { mulberry32 } from "../../common/random.ts";
import { tinyModels, useTinyModel } from "../models/fixtures.ts";

/**
 * Characters are tokens (ids 4…28, the tiny models' vocabulary of 29), spaces are skipped, "<mask>" is 3: a choice of
 * n letters is n tokens. Decoders get BOS only where the real family adds it (Llama), encoders get both ends.
 */
function charTokenizer(encoder: boolean, addsBos: boolean): Tokenizer {
  return {
    source: "chars",
    encode: (text) => text.split("<mask>").flatMap((part, i) => [...(i > 0 ? [3] : []), ...[...part].filter((c) => c !== " ").map((c) => 4 + (c.charCodeAt(0) % 25))]),
    decode: (ids) => ids.map((id) => String.fromCharCode(97 + id)).join(""),
    tokenId: () => undefined,
    bos: 1,
    addsBos: encoder || addsBos,
    eos: 2,
    addsEos: encoder,
    pad: 0,
    ...(encoder ? { mask: 3, maskToken: "<mask>" } : {}),
    vocabSize: 29,
  };
}

const LETTERS = "abcdefghijklmnopqrstuvwxy";

/** Rows with 2 to 5 choices of 1 to 3 tokens (some rows all single-token), prompts long enough to be cut at times. */
function choiceRows(encoder: boolean, seed: number): ChoiceRow[] {
  const random = mulberry32(seed);
  const word = (n: number) => Array.from({ length: n }, () => LETTERS[Math.floor(random() * LETTERS.length)]).join("");
  return Array.from({ length: 12 }, (_, i) => {
    const single = i % 3 === 0;
    const choices = Array.from({ length: 2 + (i % 4) }, (_, c) => word(single ? 1 : 1 + ((i + c) % 3)));
    const prompt = word(2 + (i % 7));
    return { prompt: encoder ? `${prompt} <mask> ${word(1)}` : prompt, choices, label: i % choices.length, line: i + 1 };
  });
}

function relative(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

const BACKENDS = [
  ["wasm + BLAS (the agents' default, fused attention)", "wasm", "auto"],
  ["cpu", "cpu", "off"],
] as const;

describe.each(BACKENDS)("on %s", (_label, prefer, blas) => {
  beforeAll(async () => {
    await selectBackend({ prefer, blas, blasThreads: 1, logger: silentLogger() });
  });

  describe.each(tinyModels().map((m) => [m.name, m] as const))("%s", (_name, tiny) => {
    const loaded = useTinyModel(tiny);
    const encoder = tiny.config.model_type === "bert" || tiny.config.model_type === "roberta";
    const tokenizer = charTokenizer(encoder, tiny.config.model_type === "llama");
    const dataset: Dataset = { source: "choices.jsonl", protocol: "choice", rows: choiceRows(encoder, 7) };
    const indices = dataset.rows.map((_, i) => i);
    const run = (choiceEncoding: "shared" | "per-choice", extra: TaskRunOptions = {}): TaskRunOptions => ({ batchSize: 4, maxTokens: 9, choiceEncoding, cache: new EncodingCache(), ...extra });

    it("evaluates every sample to the per-choice loss and correctness, and really packs: fewer rows and tokens", () => {
      const model = loaded();
      for (const lengthNormalise of [false, true]) {
        const shared = evaluateTask(model, tokenizer, dataset, indices, run("shared", { lengthNormalise }));
        const reference = evaluateTask(model, tokenizer, dataset, indices, run("per-choice", { lengthNormalise }));
        expect(shared.truncated).toBe(reference.truncated);
        expect(reference.truncated).toBeGreaterThan(0);
        shared.perSample.forEach((s, i) => {
          const r = reference.perSample[i]!;
          expect(Math.abs(s.loss - r.loss)).toBeLessThan(2e-5 * Math.max(1, Math.abs(r.loss)));
          expect(s.correct).toBe(r.correct);
        });
      }
      const size = (choiceEncoding: "shared" | "per-choice") => {
        const batches = encodedTaskFor(model, tokenizer, dataset, indices, run(choiceEncoding)).batches;
        return { rows: batches.reduce((n, b) => n + b.tokens.batch, 0), real: batches.reduce((n, b) => n + b.tokens.mask.reduce((a, m) => a + m, 0), 0) };
      };
      const [shared, reference] = [size("shared"), size("per-choice")];
      expect(shared.rows).toBeLessThan(reference.rows);
      expect(shared.real).toBeLessThan(reference.real);
    });

    it("gives the per-choice gradient pass: the same loss and ∂L/∂W to float32 rounding", () => {
      const model = loaded();
      const names = [...new Set([tiny.probe.name, model.candidates[0]!.name])];
      const shared = gradientPass(model, tokenizer, dataset, indices, names, run("shared"));
      const reference = gradientPass(model, tokenizer, dataset, indices, names, run("per-choice"));
      expect(Math.abs(shared.loss - reference.loss)).toBeLessThan(2e-5 * Math.abs(reference.loss));
      for (const name of names) expect(relative(shared.grads.get(name)!, reference.grads.get(name)!)).toBeLessThan(1e-4);
    });

    it("keeps tf.memory() flat across shared evaluations and gradient passes", () => {
      const model = loaded();
      const options = run("shared");
      evaluateTask(model, tokenizer, dataset, indices, options);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        evaluateTask(model, tokenizer, dataset, indices, options);
        gradientPass(model, tokenizer, dataset, indices, [tiny.probe.name], options);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
