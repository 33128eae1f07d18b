// Specification of evaluateTask and gradientPass on a small real-tf model, checked against float64 hand computations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { pino } from "pino";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { evaluateTask, gradientPass } from "../../agent/tasks/run.ts";
import { gradientBytesPerToken } from "../../agent/tasks/memory.ts";
import { EncodingCache, encodeTask, repackTask } from "../../agent/tasks/encoding.ts";
import { protocolFor } from "../../agent/tasks/select.ts";
import type { AnswerRow, ChoiceRow, Dataset } from "../../agent/tasks/dataset.ts";
import { mulberry32 } from "../../common/random.ts";
import { tempDir, writeBertTokenizer, writeGpt2Tokenizer } from "../tokenizers/fixtures.ts";
import { MockModel } from "./mock-model.ts";
import { failure } from "../datasets/fixtures.ts";

const tmp = tempDir("run");
let gpt2: Tokenizer;
let bert: Tokenizer;
let decoder: MockModel;
let encoder: MockModel;
let answers: Dataset & { protocol: "answer" };
let choices: Dataset & { protocol: "choice" };
let maskedSet: Dataset & { protocol: "answer" };

const WORDS = ["The", " city", " is", " the", " Paris", " capital", " of", " France", ".", " it", " car", " pet"];
function phrase(random: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join("").trimStart();
}

/** Generative loss and correctness by hand: float64 forward, mean NLL of the answer tokens. */
function handAnswer(model: MockModel, tok: Tokenizer, row: AnswerRow): { loss: number; correct: boolean } {
  const prompt = tok.encode(row.prompt);
  const answer = tok.encode(row.answer);
  const logp = model.referenceLogProbs([...prompt, ...answer]);
  let nll = 0;
  let correct = true;
  answer.forEach((token, j) => {
    const row = logp[prompt.length + j - 1]!;
    nll -= row[token]!;
    if (row.indexOf(Math.max(...row)) !== token) correct = false;
  });
  return { loss: nll / answer.length, correct };
}

function handChoice(model: MockModel, tok: Tokenizer, row: ChoiceRow, lengthNormalise: boolean): { loss: number; correct: boolean } {
  const prompt = tok.encode(row.prompt);
  const scores = row.choices.map((c) => {
    const answer = tok.encode(c);
    const logp = model.referenceLogProbs([...prompt, ...answer]);
    const sum = answer.reduce((acc, token, j) => acc + logp[prompt.length + j - 1]![token]!, 0);
    return lengthNormalise ? sum / answer.length : sum;
  });
  const lse = Math.log(scores.reduce((acc, s) => acc + Math.exp(s), 0));
  return { loss: lse - scores[row.label]!, correct: scores.every((s, c) => c === row.label || scores[row.label]! > s) };
}

function handMasked(model: MockModel, row: AnswerRow): { loss: number; correct: boolean } {
  const prompt = bert.encode(row.prompt.replace("<mask>", "[MASK]"));
  const answer = bert.encode(row.answer);
  const ids = [bert.bos!, ...prompt, bert.eos!];
  const logp = model.referenceLogProbs(ids);
  const at = ids.indexOf(bert.mask!);
  const lp = logp[at]!;
  return { loss: -lp[answer[0]!]!, correct: lp.indexOf(Math.max(...lp)) === answer[0] };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

const all = (d: Dataset) => d.rows.map((_, i) => i);

beforeAll(async () => {
  await tf.setBackend("cpu");
  gpt2 = await loadTokenizer(writeGpt2Tokenizer(join(tmp.dir, "gpt2")));
  bert = await loadTokenizer(writeBertTokenizer(join(tmp.dir, "bert")));
  decoder = new MockModel({ vocabSize: gpt2.vocabSize, dim: 8, causal: true, seed: 3 });
  encoder = new MockModel({ vocabSize: bert.vocabSize, dim: 8, causal: false, seed: 4 });
  const random = mulberry32(11);
  const answerRows: AnswerRow[] = [];
  for (let i = 0; i < 14; i++) {
    const prompt = phrase(random, 1 + (i % 5));
    let answer = phrase(random, 1 + (i % 2));
    if (i % 3 === 0) {
      // The model's own greedy next token: a sample it answers correctly.
      const ids = gpt2.encode(prompt);
      const last = decoder.referenceLogProbs(ids)[ids.length - 1]!;
      const greedy = last.indexOf(Math.max(...last));
      const text = gpt2.decode([greedy]);
      if (JSON.stringify(gpt2.encode(text)) === JSON.stringify([greedy])) answer = text;
    }
    answerRows.push({ prompt, answer, line: i + 1 });
  }
  answers = { source: "answers.jsonl", protocol: "answer", rows: answerRows };
  const choiceRows: ChoiceRow[] = Array.from({ length: 10 }, (_, i) => ({
    prompt: phrase(random, 1 + (i % 4)),
    choices: Array.from({ length: 2 + (i % 2) }, (_, c) => phrase(random, 1 + ((i + c) % 3))),
    label: i % 2,
    line: i + 1,
  }));
  choices = { source: "choices.jsonl", protocol: "choice", rows: choiceRows };
  const facts: [string, string][] = [
    ["the capital of france is <mask>.", "paris"], ["<mask> is the capital of germany.", "berlin"], ["the sky is <mask>.", "blue"],
    ["the grass is <mask>.", "green"], ["paris is a <mask> in europe.", "city"], ["the capital of <mask> is london.", "europe"],
    ["<mask> is blue.", "sky"], ["the <mask> is green.", "grass"],
  ];
  maskedSet = { source: "masked.jsonl", protocol: "answer", rows: facts.map(([prompt, answer], i) => ({ prompt, answer, line: i + 1 })) };
});

afterAll(() => {
  decoder.dispose();
  encoder.dispose();
  tmp.remove();
});

describe("evaluateTask", () => {
  it("gives METHOD.md's generative loss and correctness, equal to a float64 hand computation", () => {
    const r = evaluateTask(decoder, gpt2, answers, all(answers), { batchSize: 4 });
    const hand = answers.rows.map((row) => handAnswer(decoder, gpt2, row));
    expect(r.n).toBe(answers.rows.length);
    r.perSample.forEach((s, i) => {
      expect(s.loss).toBeCloseTo(hand[i]!.loss, 4);
      expect(s.correct).toBe(hand[i]!.correct);
    });
    expect(r.loss).toBeCloseTo(mean(hand.map((h) => h.loss)), 5);
    const correct = hand.filter((h) => h.correct).length;
    expect(correct).toBeGreaterThan(0);
    expect(correct).toBeLessThan(hand.length);
    expect(r.correct).toBe(correct);
    expect(r.accuracy).toBeCloseTo(correct / hand.length, 10);
    expect(r.stoppedEarly).toBe(false);
  });

  for (const lengthNormalise of [false, true]) {
    it(`gives the choice loss (gold cross-entropy over ${lengthNormalise ? "length-normalised" : "summed"} scores) by hand`, () => {
      const r = evaluateTask(decoder, gpt2, choices, all(choices), { batchSize: 5, lengthNormalise });
      const hand = choices.rows.map((row) => handChoice(decoder, gpt2, row, lengthNormalise));
      r.perSample.forEach((s, i) => {
        expect(s.loss).toBeCloseTo(hand[i]!.loss, 4);
        expect(s.correct).toBe(hand[i]!.correct);
      });
      expect(r.loss).toBeCloseTo(mean(hand.map((h) => h.loss)), 5);
      expect(r.correct).toBe(hand.filter((h) => h.correct).length);
    });
  }

  it("gives the masked loss at the mask positions of an encoder by hand", () => {
    const r = evaluateTask(encoder, bert, maskedSet, all(maskedSet), { batchSize: 3 });
    const hand = maskedSet.rows.map((row) => handMasked(encoder, row));
    r.perSample.forEach((s, i) => {
      expect(s.loss).toBeCloseTo(hand[i]!.loss, 4);
      expect(s.correct).toBe(hand[i]!.correct);
    });
  });

  it("reports each sample's loss unchanged by padding and batch company, in the caller's order", () => {
    for (const [model, tok, data] of [[encoder, bert, maskedSet], [decoder, gpt2, answers]] as const) {
      const together = evaluateTask(model, tok, data, all(data), { batchSize: 64 });
      const reversed = evaluateTask(model, tok, data, all(data).reverse(), { batchSize: 3 });
      all(data).forEach((i) => {
        const alone = evaluateTask(model, tok, data, [i], { batchSize: 1 });
        expect(together.perSample[i]!.loss).toBeCloseTo(alone.loss, 5);
        expect(reversed.perSample[data.rows.length - 1 - i]!.loss).toBeCloseTo(alone.loss, 5);
      });
    }
  });

  it("stops early once the target is out of reach, and not before", () => {
    const full = evaluateTask(decoder, gpt2, answers, all(answers), { batchSize: 2 });
    const never = evaluateTask(decoder, gpt2, answers, all(answers), { batchSize: 2, earlyStop: { target: full.correct } });
    expect(never.stoppedEarly).toBe(false);
    expect(never.n).toBe(answers.rows.length);
    const stopped = evaluateTask(decoder, gpt2, answers, all(answers), { batchSize: 2, earlyStop: { target: answers.rows.length } });
    expect(stopped.stoppedEarly).toBe(true);
    expect(stopped.n).toBeLessThan(answers.rows.length);
    expect(stopped.perSample.filter((s) => s.evaluated)).toHaveLength(stopped.n);
    expect(stopped.correct + (answers.rows.length - stopped.n)).toBeLessThan(answers.rows.length);
  });

  it("keeps tf.memory() flat across 100 repeated evaluations and gradient passes", () => {
    const indices = all(answers);
    evaluateTask(decoder, gpt2, answers, indices, { batchSize: 4 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) evaluateTask(decoder, gpt2, answers, indices, { batchSize: 4 });
    for (let i = 0; i < 5; i++) gradientPass(decoder, gpt2, answers, indices, ["mix.weight"], { batchSize: 4 });
    for (let i = 0; i < 5; i++) gradientPass(decoder, gpt2, choices, all(choices), ["head.weight"], { batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("tokenises a (dataset, indices) selection once and reuses the batches", () => {
    let calls = 0;
    const counting: Tokenizer = Object.assign(Object.create(gpt2) as Tokenizer, {
      encode: (text: string) => {
        calls++;
        return gpt2.encode(text);
      },
    });
    const cache = new EncodingCache();
    evaluateTask(decoder, counting, answers, [0, 1, 2], { cache });
    const first = calls;
    expect(first).toBeGreaterThan(0);
    evaluateTask(decoder, counting, answers, [0, 1, 2], { cache });
    gradientPass(decoder, counting, answers, [0, 1, 2], ["mix.weight"], { cache });
    expect(calls).toBe(first);
    evaluateTask(decoder, counting, answers, [0, 1, 3], { cache });
    expect(calls).toBeGreaterThan(first);
  });

  it("cuts long prompts from the left, counts them and warns once", () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (s: string) => void lines.push(s) });
    const long: Dataset = { source: "long.jsonl", protocol: "answer", rows: [{ prompt: "The city is the capital of France.", answer: " Paris", line: 1 }, { prompt: "The", answer: " city", line: 2 }] };
    const r = evaluateTask(decoder, gpt2, long, [0, 1], { maxTokens: 6, logger, cache: new EncodingCache() });
    expect(r.truncated).toBe(1);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ truncated: 1, samples: 2, maxTokens: 6 });
  });

  it("repacks a task into the batches a fresh encoding at the smaller size gives, without tokenising again", () => {
    const protocol = protocolFor(choices, true);
    const options = { maxTokens: 64, vocabSize: decoder.config.vocabSize };
    const wide = encodeTask(protocol, gpt2, choices, all(choices), { ...options, batchSize: 8 });
    let calls = 0;
    const counting: Tokenizer = Object.assign(Object.create(gpt2) as Tokenizer, {
      encode: (text: string) => {
        calls++;
        return gpt2.encode(text);
      },
    });
    const narrow = repackTask(wide, 3, counting);
    expect(calls).toBe(0);
    expect(narrow).toEqual(encodeTask(protocol, gpt2, choices, all(choices), { ...options, batchSize: 3 }));
  });

  it("reports truncated prompts once when a gradient pass makes its micro-batches smaller", () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (s: string) => void lines.push(s) });
    const long: Dataset = { source: "long.jsonl", protocol: "answer", rows: [{ prompt: "The city is the capital of France.", answer: " Paris", line: 1 }, { prompt: "The", answer: " city", line: 2 }] };
    // Room for one and a half of the longest (maxTokens) sequences: held + every candidate's sum + head + 1.5 rows.
    const length = 6;
    const perRow = length * gradientBytesPerToken(decoder.config, length);
    const pass = 4 * (8 * 8 + decoder.config.vocabSize * 8) + 4 * decoder.config.vocabSize * 8;
    const limit = (tf.memory().numBytes + pass + 1.5 * perRow) / 0.95;
    gradientPass(decoder, gpt2, long, [0, 1], ["mix.weight"], { batchSize: 2, maxTokens: length, memoryLimitBytes: limit, logger, cache: new EncodingCache() });
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.filter((m) => m.includes("made smaller"))).toHaveLength(1);
    expect(messages.filter((m) => m.includes("truncated"))).toHaveLength(1);
  });

  it("rejects an empty or out-of-range selection and a tokenizer that does not fit the model", () => {
    expect(failure(() => evaluateTask(decoder, gpt2, answers, [])).code).toBe("INVALID_ARGUMENT");
    expect(failure(() => evaluateTask(decoder, gpt2, answers, [answers.rows.length])).message).toContain("answers.jsonl");
    const small = new MockModel({ vocabSize: 20, seed: 5 });
    try {
      const e = failure(() => evaluateTask(small, gpt2, answers, [0, 1]));
      expect(e.code).toBe("SHAPE_MISMATCH");
      expect(e.message).toContain("answers.jsonl:");
    } finally {
      small.dispose();
    }
  });
});

describe("gradientPass", () => {
  const cases = () => [
    ["generative", decoder, gpt2, answers],
    ["choice", decoder, gpt2, choices],
    ["masked", encoder, bert, maskedSet],
  ] as const;

  it("returns the same loss as evaluateTask, and micro-batches sum exactly to the one-batch gradient", () => {
    for (const [, model, tok, data] of cases()) {
      const whole = gradientPass(model, tok, data, all(data), ["mix.weight", "head.weight"], { batchSize: 64 });
      const micro = gradientPass(model, tok, data, all(data), ["mix.weight", "head.weight"], { batchSize: 3 });
      expect(whole.loss).toBeCloseTo(evaluateTask(model, tok, data, all(data)).loss, 5);
      expect(micro.loss).toBeCloseTo(whole.loss, 5);
      expect([...whole.grads.keys()]).toEqual(["mix.weight", "head.weight"]);
      for (const [name, g] of whole.grads) {
        const m = micro.grads.get(name)!;
        const scale = Math.max(...g.map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        g.forEach((v, i) => expect(Math.abs(v - m[i]!)).toBeLessThan(1e-5 * scale + 1e-7));
      }
    }
  });

  it("makes micro-batches smaller under a memory limit (the same sums, one warning), and refuses when not one sequence fits", () => {
    const names = ["mix.weight", "head.weight"];
    const plain = gradientPass(decoder, gpt2, answers, all(answers), names, { batchSize: 8 });
    const warnings: { rows: number }[] = [];
    const logger = { warn: (fields: { rows: number }) => warnings.push(fields) } as unknown as Parameters<typeof gradientPass>[5] extends infer O ? O extends { logger?: infer L } ? L : never : never;
    // The limit that leaves room for about two of the longest sequences: held + gradient sums + head + 2.5 rows.
    const length = 16;
    const perRow = length * gradientBytesPerToken(decoder.config, length);
    const pass = 4 * (8 * 8 + decoder.config.vocabSize * 8) + 4 * decoder.config.vocabSize * 8;
    const limit = (tf.memory().numBytes + pass + 2.5 * perRow) / 0.95;
    const capped = gradientPass(decoder, gpt2, answers, all(answers), names, { batchSize: 8, memoryLimitBytes: limit, logger });
    expect(warnings.length).toBe(1);
    expect(warnings[0]!.rows).toBeGreaterThanOrEqual(1);
    expect(warnings[0]!.rows).toBeLessThan(8);
    expect(capped.loss).toBeCloseTo(plain.loss, 5);
    for (const [name, g] of plain.grads) {
      const scale = Math.max(...g.map(Math.abs));
      capped.grads.get(name)!.forEach((v, i) => expect(Math.abs(v - g[i]!)).toBeLessThan(1e-5 * scale + 1e-7));
    }
    expect(() => gradientPass(decoder, gpt2, answers, all(answers), names, { memoryLimitBytes: tf.memory().numBytes })).toThrow(/needs ~.*limit/);
  });

  it("computes L alone when no matrix is asked for", () => {
    const r = gradientPass(decoder, gpt2, choices, all(choices), [], { batchSize: 4 });
    expect(r.grads.size).toBe(0);
    expect(r.loss).toBeCloseTo(evaluateTask(decoder, gpt2, choices, all(choices)).loss, 5);
  });

  it("matches central finite differences of the evaluated loss", () => {
    for (const [, model, tok, data] of cases()) {
      const g = gradientPass(model, tok, data, all(data), ["mix.weight"]).grads.get("mix.weight")!;
      const w = model.readMatrix("mix.weight");
      const biggest = [...g.keys()].sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!)).slice(0, 3);
      const eps = 1e-2;
      for (const i of biggest) {
        const at = (delta: number) => {
          const moved = w.slice();
          moved[i]! += delta;
          model.writeMatrix("mix.weight", moved);
          return evaluateTask(model, tok, data, all(data)).loss;
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        model.writeMatrix("mix.weight", w);
        expect(Math.abs(fd - g[i]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(g[i]!));
      }
    }
  });
});
