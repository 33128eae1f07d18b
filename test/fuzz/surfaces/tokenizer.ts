// tokenizer.json surface: Llama-, GPT-2- and BERT-shaped tokenizer directories, loaded and used through agent/tokenizers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTokenizer } from "../../../agent/tokenizers/load.ts";
import { ErrorCode } from "../../../common/errors.ts";
import { writeBertTokenizer, writeGpt2Tokenizer, writeLlamaTokenizer } from "../../tokenizers/fixtures.ts";
import { writeTinyModel } from "../fixtures.ts";
import { mutateText } from "../mutate-bytes.ts";
import { mutateJson, serialise, type Json } from "../mutate-json.ts";
import type { FuzzInput, Surface } from "../surface.ts";

type Seed = Record<string, string>;

const TEXTS = ["the cat sat on the mat.", "Paris is the capital", "", " ", "é😀\u0000<s></s>[MASK]<mask>", "a".repeat(2_000)];

function readDir(dir: string, names: string[]): Seed {
  const out: Seed = {};
  for (const n of names) {
    try {
      out[n] = readFileSync(join(dir, n), "utf8");
    } catch {
      // the shape has no such file
    }
  }
  return out;
}

const NAMES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

export const tokenizerSurface: Surface<Seed[]> = {
  name: "tokenizer-json",
  title: "tokenizer.json (+ tokenizer_config.json) of Llama/GPT-2/BERT/llama2.c shapes → loadTokenizer, encode, decode",
  codes: [ErrorCode.TOKENIZER_INVALID, ErrorCode.TOKENIZER_MISSING],
  async setup(scratch) {
    return [
      readDir(writeLlamaTokenizer(join(scratch, "llama")), NAMES),
      readDir(writeGpt2Tokenizer(join(scratch, "gpt2")), NAMES),
      readDir(writeBertTokenizer(join(scratch, "bert")), NAMES),
      readDir(writeTinyModel(join(scratch, "tiny")).dir, NAMES),
    ];
  },
  generate(rng, seeds): FuzzInput {
    const seed = rng.pick(seeds);
    const files: Record<string, string | Uint8Array> = { ...seed };
    const names = Object.keys(seed);
    const name = rng.chance(0.75) ? "tokenizer.json" : rng.pick(names);
    let what: string;
    if (rng.chance(0.7)) {
      const m = mutateJson(JSON.parse(seed[name]!) as Json, rng);
      files[name] = serialise(m.value, rng);
      what = `${name}: ${m.what}`;
    } else {
      const m = mutateText(seed[name]!, rng);
      files[name] = m.value;
      what = `${name} text: ${m.what}`;
    }
    return { files, what, data: rng.pick(TEXTS) };
  },
  async feed(input, _seeds, { dir }) {
    const tok = await loadTokenizer(dir);
    const text = input.data as string;
    const ids = tok.encode(text);
    tok.decode(ids);
    tok.decode(ids, { skipSpecial: true });
    for (const t of ["<s>", "[MASK]", "<|endoftext|>", "constructor"]) tok.tokenId(t);
  },
};
