// Specification of how each task protocol turns a row into token sequences and target positions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { protocolFor, protocolName } from "../../agent/tasks/select.ts";
import { packBatches } from "../../agent/tasks/batch.ts";
import type { EncodeContext } from "../../agent/tasks/protocol.ts";
import { tempDir, writeBertTokenizer, writeGpt2Tokenizer, writeLlamaTokenizer } from "../tokenizers/fixtures.ts";
import { failure } from "../datasets/fixtures.ts";

const tmp = tempDir("protocols");
let gpt2: Tokenizer;
let llama: Tokenizer;
let bert: Tokenizer;
beforeAll(async () => {
  gpt2 = await loadTokenizer(writeGpt2Tokenizer(join(tmp.dir, "gpt2")));
  llama = await loadTokenizer(writeLlamaTokenizer(join(tmp.dir, "llama")));
  bert = await loadTokenizer(writeBertTokenizer(join(tmp.dir, "bert")));
});
afterAll(() => tmp.remove());

const ctx = (tokenizer: Tokenizer, maxTokens = 64): EncodeContext => ({ tokenizer, maxTokens, where: "data.jsonl:7" });
const generative = protocolFor({ protocol: "answer" }, true);
const masked = protocolFor({ protocol: "answer" }, false);
const choice = protocolFor({ protocol: "choice" }, true);
const perChoice = protocolFor({ protocol: "choice" }, true, { choiceEncoding: "per-choice" });
const maskedChoice = protocolFor({ protocol: "choice" }, false);

describe("protocol selection", () => {
  it("maps answer rows to generative on decoders and masked on encoders; choice stays choice", () => {
    expect(protocolName({ protocol: "answer" }, true)).toBe("generative");
    expect(protocolName({ protocol: "answer" }, false)).toBe("masked");
    expect(protocolName({ protocol: "choice" }, false)).toBe("choice");
    expect([generative.name, masked.name, choice.name]).toEqual(["generative", "masked", "choice"]);
  });
});

describe("generative answer encoding", () => {
  it("concatenates tokenize(prompt) and tokenize(answer) with no BOS when the tokenizer adds none", () => {
    const s = generative.encode({ prompt: "The city is", answer: " Paris", line: 1 }, ctx(gpt2));
    const p = gpt2.encode("The city is");
    const a = gpt2.encode(" Paris");
    expect(s.sequences).toHaveLength(1);
    const seq = s.sequences[0]!;
    expect(seq.ids).toEqual([...p, ...a]);
    expect(seq.targets).toEqual(a);
    // token t is predicted by the logits at t − 1
    expect(seq.positions).toEqual(a.map((_, j) => p.length + j - 1));
  });

  it("puts BOS in front when the tokenizer adds it", () => {
    const seq = generative.encode({ prompt: "the", answer: " Paris", line: 1 }, ctx(llama)).sequences[0]!;
    expect(seq.ids).toEqual([1, ...llama.encode("the"), ...llama.encode(" Paris")]);
    expect(seq.positions[0]).toBe(1);
  });

  it("cuts long prompts from the left and counts the cut", () => {
    const prompt = "the the the the the the the the the the";
    const s = generative.encode({ prompt, answer: " Paris", line: 1 }, ctx(llama, 5));
    const seq = s.sequences[0]!;
    expect(seq.ids).toHaveLength(5);
    expect(seq.ids[0]).toBe(1);
    expect(s.dropped).toBe(llama.encode(prompt).length - (5 - 1 - llama.encode(" Paris").length));
    expect(seq.targets).toEqual(llama.encode(" Paris"));
  });

  it("refuses an answer that cannot fit, and an empty prompt without BOS", () => {
    const e1 = failure(() => generative.encode({ prompt: "the", answer: " Paris Paris Paris", line: 1 }, ctx(llama, 3)));
    expect(e1.code).toBe("DATASET_INVALID");
    expect(e1.message).toMatch(/^data\.jsonl:7: .*maxTokens = 3/);
    const e2 = failure(() => generative.encode({ prompt: "", answer: " Paris", line: 1 }, ctx(gpt2)));
    expect(e2.code).toBe("DATASET_INVALID");
    expect(e2.message).toContain("data.jsonl:7");
  });
});

describe("masked encoding", () => {
  it("frames with [CLS]/[SEP] and reads the answer at the mask, written as <mask> or [MASK]", () => {
    for (const prompt of ["the capital of france is <mask>.", "the capital of france is [MASK]."]) {
      const seq = masked.encode({ prompt, answer: "paris", line: 1 }, ctx(bert)).sequences[0]!;
      expect(seq.ids).toEqual([2, 5, 6, 7, 8, 10, 4, 14, 3]);
      expect(seq.positions).toEqual([6]);
      expect(seq.targets).toEqual([11]);
    }
  });

  it("expands one mask into one per answer token", () => {
    const seq = masked.encode({ prompt: "<mask> is blue.", answer: "the sky", line: 1 }, ctx(bert)).sequences[0]!;
    expect(seq.ids).toEqual([2, 4, 4, 10, 21, 14, 3]);
    expect(seq.positions).toEqual([1, 2]);
    expect(seq.targets).toEqual([5, 20]);
  });

  it("refuses a prompt without a mask and a mask count that does not match the answer", () => {
    expect(failure(() => masked.encode({ prompt: "the sky is blue", answer: "blue", line: 1 }, ctx(bert))).message).toMatch(/no mask/);
    expect(failure(() => masked.encode({ prompt: "<mask> <mask> <mask>", answer: "the sky", line: 1 }, ctx(bert))).message).toMatch(/3 masks.*2 tokens/);
  });

  it("cuts from the left but never a mask", () => {
    const s = masked.encode({ prompt: "the capital of france is <mask>.", answer: "paris", line: 1 }, ctx(bert, 5));
    expect(s.sequences[0]!.ids).toEqual([2, 10, 4, 14, 3]);
    expect(s.dropped).toBe(4);
    expect(failure(() => masked.encode({ prompt: "<mask> is the capital of france", answer: "paris", line: 1 }, ctx(bert, 4))).code).toBe("DATASET_INVALID");
  });

  it("needs a tokenizer with a mask token", () => {
    expect(failure(() => masked.encode({ prompt: "<mask>", answer: "x", line: 1 }, ctx(gpt2))).code).toBe("TOKENIZER_INVALID");
  });
});

describe("choice encoding", () => {
  it("per choice (the reference): scores each choice as an answer after the same prompt, cut the same way for every choice", () => {
    const row = { prompt: "the the the the the the", choices: [" is", " Paris is"], label: 1, line: 1 };
    const s = perChoice.encode(row, ctx(llama, 6));
    expect(s.label).toBe(1);
    expect(s.sequences).toHaveLength(2);
    const [a, b] = s.sequences;
    expect(a!.targets).toEqual(llama.encode(" is"));
    expect(b!.targets).toEqual(llama.encode(" Paris is"));
    const promptOf = (seq: { ids: number[]; targets: number[] }) => seq.ids.slice(0, seq.ids.length - seq.targets.length);
    expect(promptOf(a!)).toEqual(promptOf(b!));
    expect(b!.ids.length).toBeLessThanOrEqual(6);
    expect(s.choiceOf).toEqual([...a!.targets.map(() => 0), ...b!.targets.map(() => 1)]);
  });

  it("shared: single-token choices are all read at the prompt's last position, from the prompt alone", () => {
    const row = { prompt: "The city", choices: [" the", " is", "."], label: 2, line: 1 };
    expect(row.choices.map((c) => gpt2.encode(c).length)).toEqual([1, 1, 1]);
    const s = choice.encode(row, ctx(gpt2));
    const prompt = gpt2.encode("The city");
    expect(s.sequences).toHaveLength(1);
    const seq = s.sequences[0]!;
    expect(seq.ids).toEqual(prompt);
    expect(seq.positions).toEqual([prompt.length - 1, prompt.length - 1, prompt.length - 1]);
    expect(seq.targets).toEqual(row.choices.map((c) => gpt2.encode(c)[0]));
    expect(seq.segments).toBeUndefined();
    expect(s.choiceOf).toEqual([0, 1, 2]);
    expect(s.label).toBe(2);
  });

  it("shared: multi-token choices are branches after one copy of the prompt, each seeing the prompt and itself, positions continuing from the prompt", () => {
    const row = { prompt: "the the the the the the", choices: [" Paris", " Paris is the"], label: 1, line: 1 };
    const reference = perChoice.encode(row, ctx(llama, 9));
    const s = choice.encode(row, ctx(llama, 9));
    expect(s.dropped).toBe(reference.dropped);
    expect(s.dropped).toBeGreaterThan(0);
    const [a, b] = [reference.sequences[0]!, reference.sequences[1]!];
    const prompt = a.ids.slice(0, a.ids.length - a.targets.length);
    const P = prompt.length;
    const seq = s.sequences[0]!;
    expect(s.sequences).toHaveLength(1);
    // the prompt, then each choice's tokens but its last, as its own branch
    const [ba, bb] = [a.targets.slice(0, -1), b.targets.slice(0, -1)];
    expect(seq.ids).toEqual([...prompt, ...ba, ...bb]);
    expect(seq.positionIds).toEqual([...prompt.map((_, t) => t), ...ba.map((_, j) => P + j), ...bb.map((_, j) => P + j)]);
    expect(seq.segments).toEqual([...prompt.map(() => 0), ...ba.map(() => 1), ...bb.map(() => 2)]);
    expect(seq.targets).toEqual([...a.targets, ...b.targets]);
    expect(seq.positions).toEqual([P - 1, ...ba.map((_, j) => P + j), P - 1, ...bb.map((_, j) => P + ba.length + j)]);
    expect(s.choiceOf).toEqual([...a.targets.map(() => 0), ...b.targets.map(() => 1)]);
  });

  it("shared on encoders: choices with as many tokens share one masked sequence, others keep their own", () => {
    const row = { prompt: "the capital of france is <mask>.", choices: ["paris", "berlin", "the sky"], label: 0, line: 1 };
    const reference = protocolFor({ protocol: "choice" }, false, { choiceEncoding: "per-choice" }).encode(row, ctx(bert));
    const s = maskedChoice.encode(row, ctx(bert));
    expect(reference.sequences).toHaveLength(3);
    expect(s.sequences.map((q) => q.ids)).toEqual([reference.sequences[0]!.ids, reference.sequences[2]!.ids]);
    expect(reference.sequences[1]!.ids).toEqual(reference.sequences[0]!.ids);
    expect(s.sequences[0]!.targets).toEqual([...reference.sequences[0]!.targets, ...reference.sequences[1]!.targets]);
    expect(s.choiceOf).toEqual([0, 1, ...reference.sequences[2]!.targets.map(() => 2)]);
  });
});

describe("batching", () => {
  it("right-pads with attention masks, groups by length and keeps every sample's slot", () => {
    const rows = ["the the the the the", "the", "the the the"].map((prompt, i) => ({ prompt, answer: " Paris", line: i + 1 }));
    const samples = rows.map((r) => generative.encode(r, ctx(llama)));
    const batches = packBatches(samples, 2, 0);
    expect(batches.map((b) => b.slots)).toEqual([[1, 2], [0]]);
    const first = batches[0]!;
    const short = samples[1]!.sequences[0]!;
    const long = samples[2]!.sequences[0]!;
    expect(first.tokens.length).toBe(long.ids.length);
    expect(Array.from(first.tokens.mask.slice(0, first.tokens.length))).toEqual(long.ids.map((_, t) => (t < short.ids.length ? 1 : 0)));
    expect(Array.from(first.tokens.ids.slice(0, short.ids.length))).toEqual(short.ids);
    expect(Array.from(first.positions)).toEqual([...short.positions, ...long.positions.map((p) => first.tokens.length + p)]);
    expect(Array.from(first.targets)).toEqual([...short.targets, ...long.targets]);
  });

  it("keeps a choice sample's sequences in one batch", () => {
    const rows = [0, 1, 2].map((i) => ({ prompt: "the", choices: [" is", " Paris", " the"], label: 0, line: i + 1 }));
    const batches = packBatches(rows.map((r) => perChoice.encode(r, ctx(llama))), 4, 0);
    expect(batches.map((b) => b.tokens.batch)).toEqual([3, 3, 3]);
  });

  it("counts a packed choice sample as one sequence, runs each read position through the head once, and carries position ids and segments", () => {
    const rows = [0, 1, 2].map((i) => ({ prompt: "the the".slice(0, 3 + 4 * (i % 2)), choices: [" Paris", " Paris is"], label: 0, line: i + 1 }));
    const samples = rows.map((r) => choice.encode(r, ctx(llama)));
    const batches = packBatches(samples, 2, 0);
    expect(batches.map((b) => b.tokens.batch)).toEqual([2, 1]);
    const b = batches[0]!;
    const T = b.tokens.length;
    expect(b.tokens.positionIds).toHaveLength(2 * T);
    expect(b.tokens.segments).toHaveLength(2 * T);
    const flatReads = Array.from(b.reads).map((r) => b.positions[r]!);
    const expected = b.samples.flatMap((s, row) => s.sequences[0]!.positions.map((p) => row * T + p));
    expect(flatReads).toEqual(expected);
    expect(b.positions.length).toBe(new Set(expected).size);
    expect(b.reads.length).toBeGreaterThan(b.positions.length);
  });
});
