// A shape's random-weight checkpoint with the tokenizer its FEVER runs use, and how many tokens the prompts take:
// GPT-2's real BPE for GPT-2 shapes; otherwise a word-level stand-in of exactly the config's vocabulary that holds
// every word of the dataset (the real SentencePiece model of TinyLlama is not available offline).
import { join } from "node:path";
import type { Dataset } from "../../agent/tasks/dataset.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { laserSplit } from "../../common/split.ts";
import { defaultSettings } from "../../coordinator/plan/settings.ts";
import { gpt2BpeDir, writeGpt2BpeTokenizer } from "../choice/gpt2-tokenizer.ts";
import { writeRandomCheckpoint, writeWordTokenizer } from "../scale/checkpoint.ts";
import type { ScaleShape } from "../scale/shapes.ts";

export const TokenizerKind = {
  /** GPT-2's byte-level BPE (bench/choice/gpt2-tokenizer.ts), the tokenizer GPT-2 and GPT-J were trained with. */
  gpt2Bpe: "gpt2-bpe",
  /** One token per whitespace-separated word, BOS in front (as Llama's tokenizer adds it). */
  words: "words",
} as const;
export type TokenizerKind = (typeof TokenizerKind)[keyof typeof TokenizerKind];

export interface TokenCounts {
  /** Mean tokens per row: the prompt (single-token choices are read at its last position) plus BOS where added. */
  mean: number;
  max: number;
  /** Tokens that fell back to `<unk>` (0 when the vocabulary covers the dataset). */
  unknown: number;
  /** Share of all rows' tokens in LASER's validation split (the first 20% of the rows). */
  validationShare: number;
}

export interface PreparedModel {
  dir: string;
  tokenizer: TokenizerKind;
  tokens: TokenCounts;
  /** For the word-level stand-in: the same prompts under GPT-2's BPE, what a subword tokenizer would make of them. */
  bpeTokens?: TokenCounts;
}

/** Every whitespace-separated word of the prompts and the answers or choices, in order of first appearance. */
export function datasetWords(dataset: Dataset): string[] {
  const words = new Set<string>();
  for (const row of dataset.rows) {
    const texts = "choices" in row ? [row.prompt, ...row.choices] : [row.prompt, row.answer];
    for (const t of texts) for (const w of t.split(/\s+/)) if (w !== "") words.add(w);
  }
  return [...words];
}

/** Token counts of the rows' prompts under the tokenizer in `dir`. */
export async function promptTokens(dir: string, dataset: Dataset): Promise<TokenCounts> {
  const tokenizer = await loadTokenizer(dir);
  const unk = tokenizer.tokenId("<unk>");
  const lengths: number[] = [];
  let unknown = 0;
  for (const row of dataset.rows) {
    const ids = tokenizer.encode(row.prompt);
    lengths.push(ids.length + (tokenizer.addsBos ? 1 : 0));
    if (unk !== undefined) unknown += ids.filter((id) => id === unk).length;
  }
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const { validation } = laserSplit(lengths.length, { validationFraction: defaultSettings.validationFraction });
  return {
    mean: sum(lengths) / lengths.length,
    max: Math.max(...lengths),
    unknown,
    validationShare: sum(validation.map((i) => lengths[i]!)) / sum(lengths),
  };
}

/** Writes (or reuses) the checkpoint in `dir`, then the shape's tokenizer over it; `work` holds the BPE comparison. */
export async function prepareModel(dir: string, shape: ScaleShape, dataset: Dataset, work: string): Promise<PreparedModel> {
  writeRandomCheckpoint(dir, shape);
  if (shape.config.model_type === "gpt2") {
    writeGpt2BpeTokenizer(dir, gpt2BpeDir());
    return { dir, tokenizer: TokenizerKind.gpt2Bpe, tokens: await promptTokens(dir, dataset) };
  }
  writeWordTokenizer(dir, shape.config.vocab_size as number, { words: datasetWords(dataset), addBos: true });
  const bpe = writeGpt2BpeTokenizer(join(work, "gpt2-bpe"), gpt2BpeDir());
  return { dir, tokenizer: TokenizerKind.words, tokens: await promptTokens(dir, dataset), bpeTokens: await promptTokens(bpe, dataset) };
}
