// tokenizer.bin → tokenizer.json: @huggingface/tokenizers must give the same ids as llama2.c's own encode().
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { C2iError } from "../../common/errors.ts";
import { readTokenizerBin } from "../../agent/checkpoint/llama2c/tokenizer-bin.ts";
import { buildTokenizerJson } from "../../agent/checkpoint/llama2c/tokenizer-json.ts";
import { sharedModels, smallestSharedModel } from "../fixtures/shared-models.ts";
import { llama2cEncode, tokenizerBinBytes, trainTokenizer, type TokenizerBin } from "./llama2c-fixtures.ts";
import { makeTempDir } from "./tmp.ts";

const CORPUS =
  "Once upon a time there was a little girl named Lily. She loved to play outside in the sunshine. " +
  "One day she saw a big red ball in the park. The ball was shiny and new, and Lily wanted to play with it. " +
  "Her mother said: be careful, the grass is wet! Lily laughed and ran to the tree. Then they went home together, " +
  "tired and happy. The end. Tom and Ben were friends; they liked trains, cars and boats — and café au lait.";

const SAMPLES = [
  "Once upon a time, there was a little girl.",
  "Lily and Tom played with the ball in the park until the sun went down.",
  "  leading spaces and  double  spaces ",
  "line one\nline two\n\ttabbed",
  "unicode: café, naïve, 日本語, emoji 🚂 and ☕",
  "x",
  "",
  "ThE QuIcK bRoWn fox jumps over 13 lazy dogs!!! ??? ...",
];

let tmp: ReturnType<typeof makeTempDir>;
let bin: TokenizerBin;
let file: string;
beforeAll(() => {
  tmp = makeTempDir("c2i-tok-");
  bin = trainTokenizer(CORPUS, 120, 200);
  file = join(tmp.dir, "tokenizer.bin");
  writeFileSync(file, tokenizerBinBytes(bin));
});
afterAll(() => tmp.remove());

function hfTokenizer(path: string, vocabSize?: number): Tokenizer {
  const built = buildTokenizerJson(path, readTokenizerBin(path, vocabSize), 256);
  return new Tokenizer(JSON.parse(JSON.stringify(built.tokenizer)), built.config);
}

describe("llama2.c tokenizer conversion", () => {
  it("reads tokenizer.bin pieces and scores and checks the count against vocab_size", () => {
    const tok = readTokenizerBin(file, bin.pieces.length);
    expect(tok.pieces).toHaveLength(bin.pieces.length);
    expect(new TextDecoder().decode(tok.pieces[1])).toBe("\n<s>\n");
    expect(Array.from(tok.scores.subarray(259, 262))).toEqual([0, -1, -2]);
    expect(() => readTokenizerBin(file, bin.pieces.length + 5)).toThrow(/holds \d+ tokens but the model's vocab_size/);
    expect(() => readTokenizerBin(file, bin.pieces.length - 5)).toThrow(/bytes remain after/);
  });

  it("rejects a truncated tokenizer.bin with a clear error", () => {
    const bytes = tokenizerBinBytes(bin);
    const cut = join(tmp.dir, "cut.bin");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 3));
    let err: unknown;
    try {
      readTokenizerBin(cut, bin.pieces.length);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(C2iError);
    expect((err as C2iError).code).toBe("CHECKPOINT_CORRUPT");
    expect((err as C2iError).message).toMatch(/cut\.bin: token \d+ .*(truncated)/);
  });

  it("writes a SentencePiece-style BPE: ▁ for space, <s>/</s> specials, byte tokens, merges ranked by score", () => {
    const built = buildTokenizerJson(file, readTokenizerBin(file), 256);
    const model = built.tokenizer.model as { vocab: Record<string, number>; merges: [string, string][]; byte_fallback: boolean };
    expect(model.byte_fallback).toBe(true);
    expect(model.vocab["<s>"]).toBe(1);
    expect(model.vocab["</s>"]).toBe(2);
    expect(model.vocab["<0x0A>"]).toBe(3 + 10);
    expect(model.vocab["▁"]).toBeDefined();
    expect(Object.keys(model.vocab).some((k) => k.includes(" "))).toBe(false);
    // merges are ranked by the merged token's score, highest first, as llama2.c picks them
    const score = (m: [string, string]) => bin.scores[model.vocab[m.join("")]!]!;
    const ranks = model.merges.map(score);
    expect(ranks.every((s, i) => i === 0 || s <= ranks[i - 1]!)).toBe(true);
    expect(model.merges.length).toBeGreaterThan(150);
  });

  it("encodes sample texts to exactly the ids of llama2.c's encode(), with and without BOS", () => {
    const tok = hfTokenizer(file, bin.pieces.length);
    for (const text of SAMPLES) {
      const expected = llama2cEncode(bin, text);
      expect(tok.encode(text, { add_special_tokens: false }).ids, JSON.stringify(text)).toEqual(expected);
      expect(tok.encode(text).ids, JSON.stringify(text)).toEqual(llama2cEncode(bin, text, true));
    }
    // the samples exercise merges, byte fallback and plain characters
    const all = SAMPLES.flatMap((t) => llama2cEncode(bin, t));
    expect(all.some((id) => id >= 3 && id < 259)).toBe(true);
    expect(all.some((id) => id >= 259 && id < 259 + 120)).toBe(true);
  });

  it("decodes ids back to the original text", () => {
    const tok = hfTokenizer(file);
    for (const text of SAMPLES.filter((t) => t.length > 0 && !t.startsWith(" "))) {
      expect(tok.decode(llama2cEncode(bin, text), { skip_special_tokens: true })).toBe(text);
    }
  });
});

const shared = sharedModels();
describe.skipIf(shared.absent)(`the real llama2.c tokenizer in ${shared.root}`, () => {
  const STORY = [
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.",
    'Lily\'s mom said, "Lily, let\'s go to the park." Tom didn\'t know what to do!',
    "The big, red ball was too high; the dog barked 3 times and ran away... The end.",
  ];

  it("converts to a tokenizer.json that encodes exactly as llama2.c's encode(), with and without BOS", () => {
    const m = smallestSharedModel();
    const raw = readTokenizerBin(m.tokenizer, m.config.vocabSize);
    expect(raw.pieces).toHaveLength(m.config.vocabSize);
    const real: TokenizerBin = { pieces: raw.pieces, scores: Array.from(raw.scores) };
    const tok = hfTokenizer(m.tokenizer, m.config.vocabSize);
    for (const text of [...STORY, ...SAMPLES]) {
      expect(tok.encode(text, { add_special_tokens: false }).ids, `${m.tokenizer}: ${JSON.stringify(text)}`).toEqual(llama2cEncode(real, text));
      expect(tok.encode(text).ids, `${m.tokenizer}: ${JSON.stringify(text)} with BOS`).toEqual(llama2cEncode(real, text, true));
    }
    // a 512-token vocabulary: the story text needs merges, and the unicode samples need byte fallback
    const ids = SAMPLES.flatMap((t) => llama2cEncode(real, t));
    expect(ids.some((id) => id >= 3 && id < 259)).toBe(true);
    expect(STORY.flatMap((t) => llama2cEncode(real, t)).some((id) => id >= 259)).toBe(true);
    for (const text of STORY) expect(tok.decode(llama2cEncode(real, text, true), { skip_special_tokens: true })).toBe(text);
  });
});
