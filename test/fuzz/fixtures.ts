// The valid seeds every surface mutates: a tiny llama2.c model and tokenizer, their Hugging Face conversion (single and sharded), a dataset.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { convertLlama2c } from "../../agent/checkpoint/llama2c/convert.ts";
import { openCheckpoint, writeCheckpoint, type TensorToWrite } from "../../agent/checkpoint/safetensors.ts";
import { llama2cBytes, tinyWeights, tokenizerBinBytes, trainTokenizer, type TinyLlama2c } from "../checkpoint/llama2c-fixtures.ts";

const CORPUS =
  "the cat sat on the mat. the dog ran to the park. a bird sang in the tree. the sun is warm and the sky is blue. " +
  "once upon a time there was a little fox who liked to run in the green grass near the river.";

/** Every file of the tiny model family, as bytes, plus where its Hugging Face conversions were written. */
export interface TinyModel {
  config: TinyLlama2c;
  /** llama2.c exports (legacy, version 1) and tokenizer.bin. */
  legacy: Uint8Array;
  v1: Uint8Array;
  tokenizerBin: Uint8Array;
  /** A converted single-file checkpoint directory (config.json, model.safetensors, tokenizer.json…). */
  dir: string;
  /** The same model sharded in three files with an index. */
  shardedDir: string;
  /** Its files by name, for surfaces that rewrite them per input. */
  files: Record<string, Uint8Array>;
  shardedFiles: Record<string, Uint8Array>;
  /** Prompts of the tiny task, each answerable by the tokenizer's vocabulary. */
  prompts: string[];
}

function readAll(dir: string, names: string[]): Record<string, Uint8Array> {
  return Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))]));
}

/** Writes the tiny model under `root` (llama2.c files, the converted and the sharded directory). */
export function writeTinyModel(root: string): TinyModel {
  mkdirSync(root, { recursive: true });
  const tok = trainTokenizer(CORPUS, 40);
  const config: TinyLlama2c = { dim: 8, hiddenDim: 16, nLayers: 2, nHeads: 2, nKvHeads: 1, vocabSize: tok.pieces.length, seqLen: 32, shared: true };
  const weights = tinyWeights(config);
  const legacy = llama2cBytes(config, weights, 0);
  const v1 = llama2cBytes({ ...config, shared: false }, weights, 1);
  const tokenizerBin = tokenizerBinBytes(tok);
  writeFileSync(join(root, "model.bin"), legacy);
  writeFileSync(join(root, "tokenizer.bin"), tokenizerBin);
  const dir = join(root, "hf");
  convertLlama2c({ checkpoint: join(root, "model.bin"), tokenizer: join(root, "tokenizer.bin"), out: dir });
  const files = readAll(dir, ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
  const shardedDir = join(root, "hf-sharded");
  const ckpt = openCheckpoint(dir);
  const tensors: TensorToWrite[] = ckpt.names().map((name) => ({ name, shape: ckpt.entry(name).shape, data: ckpt.readF32(name), dtype: "F32" }));
  ckpt.close();
  // Mixed dtypes so that F16/BF16 decoding is on the fuzzed path too.
  tensors.forEach((t, i) => (t.dtype = (["F32", "F16", "BF16"] as const)[i % 3]!));
  writeCheckpoint(shardedDir, tensors, { maxShardBytes: 2_000 });
  writeFileSync(join(shardedDir, "config.json"), files["config.json"]!);
  const shardNames = JSON.parse(readFileSync(join(shardedDir, "model.safetensors.index.json"), "utf8")) as { weight_map: Record<string, string> };
  const shardedFiles = readAll(shardedDir, ["config.json", "model.safetensors.index.json", ...new Set(Object.values(shardNames.weight_map))]);
  const prompts = ["the cat sat on the", "the dog ran to the", "a bird sang in the", "the sky is", "there was a little", "near the"];
  return { config, legacy, v1, tokenizerBin, dir, shardedDir, files, shardedFiles, prompts };
}

/** A generative JSONL task over the tiny vocabulary: `rows` rows cycling through the prompts. */
export function tinyAnswerJsonl(model: TinyModel, rows: number): string {
  const answers = ["mat", "park", "tree", "blue", "fox", "river"];
  return Array.from({ length: rows }, (_, i) => JSON.stringify({ prompt: model.prompts[i % 6], answer: " " + answers[i % 6] })).join("\n") + "\n";
}
