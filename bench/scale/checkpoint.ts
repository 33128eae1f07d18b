// Random-weight checkpoints in a ScaleShape, written one layer per shard so a 1B model never sits in memory whole,
// with a word-level tokenizer of exactly the config's vocabulary (optionally holding a real dataset's words) and a
// generated ~48-token task.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { INDEX_FILE, writeSafetensors, type TensorToWrite } from "../../agent/checkpoint/safetensors.ts";
import { SPECIAL_TOKENS, tokenizerConfigJson, tokenizerJson } from "../../agent/demo/vocabulary.ts";
import { mulberry32, type Random } from "../../common/random.ts";
import { layerTensors, outerTensors, TensorRole, type ScaleShape, type TensorSpec } from "./shapes.ts";

/** Uniform on ±0.02·√3: standard deviation 0.02, the configs' initializer_range. */
const HALF_WIDTH = 0.02 * Math.sqrt(3);

function fill(t: TensorSpec, rand: Random): TensorToWrite {
  const data = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
  if (t.role === TensorRole.norm) data.fill(1);
  else if (t.role === TensorRole.weight) for (let i = 0; i < data.length; i++) data[i] = (2 * rand() - 1) * HALF_WIDTH;
  return { name: t.name, shape: t.shape, data };
}

/**
 * Write `dir` as a sharded checkpoint (`model-0000i-of-0000n.safetensors`, one for the outer tensors, one per layer,
 * plus the index), in the shape's stored dtype. Peak memory is the largest shard as float32 (Llama-3.2-1B's
 * 128256 × 2048 embedding: 1 GiB). Skips the work when `dir` already holds a complete checkpoint.
 */
export function writeRandomCheckpoint(dir: string, shape: ScaleShape, seed = 1): void {
  if (existsSync(join(dir, INDEX_FILE))) return;
  mkdirSync(dir, { recursive: true });
  const rand = mulberry32(seed);
  const n = shape.layers + 1;
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (let s = 0; s < n; s++) {
    const specs = s === 0 ? outerTensors(shape) : layerTensors(shape, s - 1);
    const file = `model-${String(s + 1).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.safetensors`;
    const tensors = specs.map((t) => ({ ...fill(t, rand), dtype: shape.dtype }));
    writeSafetensors(join(dir, file), tensors, { format: "pt" });
    for (const t of tensors) {
      weightMap[t.name] = file;
      total += t.data.length * (shape.dtype === "F32" ? 4 : 2);
    }
  }
  writeFileSync(join(dir, "config.json"), JSON.stringify(shape.config, null, 2) + "\n");
  writeWordTokenizer(dir, shape.config.vocab_size as number);
  // The index last: its presence marks the checkpoint complete.
  writeFileSync(join(dir, INDEX_FILE), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + "\n");
}

export interface WordTokenizerOptions {
  /** Words given their own ids first (e.g. every word of a real dataset), in this order. @default none */
  words?: readonly string[];
  /** Whether the tokenizer puts `<s>` in front of every input, as Llama's does. @default false */
  addBos?: boolean;
}

/** tokenizer.json and tokenizer_config.json of a whitespace word tokenizer of exactly `vocab` ids into `dir`. */
export function writeWordTokenizer(dir: string, vocab: number, options: WordTokenizerOptions = {}): void {
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson(wordVocabulary(vocab, options.words ?? []))));
  const config = { ...tokenizerConfigJson(), model_max_length: 1024, ...(options.addBos ? { add_bos_token: true } : {}) };
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config, null, 2) + "\n");
}

/**
 * The demo's special tokens, then `words`, then fillers `w<id>` up to exactly `vocab` ids: every id of the model's
 * vocabulary is one word. Without `words`, id i is the word `w<i>` (writeTask relies on it).
 */
function wordVocabulary(vocab: number, words: readonly string[]): { tokens: string[]; id: Map<string, number> } {
  const tokens = [...new Set<string>([...SPECIAL_TOKENS, ...words])];
  if (tokens.length > vocab) throw new Error(`${tokens.length - SPECIAL_TOKENS.length} distinct words do not fit a vocabulary of ${vocab} ids`);
  const taken = new Set(tokens);
  for (let i = tokens.length; tokens.length < vocab; i++) if (!taken.has(`w${i}`)) tokens.push(`w${i}`);
  return { tokens, id: new Map(tokens.map((t, i) => [t, i])) };
}

export interface TaskShape {
  rows: number;
  /** Mean tokens per row, prompt and answer (each row's prompt is uniform in mean − 8 … mean + 8 − answer words). */
  meanTokens: number;
  /** Words (tokens) of each answer. */
  answerTokens: number;
}

/** @default 150 rows (100 adaptation + 50 test) of ~48 tokens, 3 of them the answer (bench/engine's workload) */
export const DEFAULT_TASK: TaskShape = { rows: 150, meanTokens: 48, answerTokens: 3 };

/** A JSONL prompt/answer task over the word vocabulary, uniform over every id (seeded); returns total tokens per row. */
export function writeTask(file: string, vocab: number, task: TaskShape = DEFAULT_TASK, seed = 7): number[] {
  const rand = mulberry32(seed);
  const word = () => `w${SPECIAL_TOKENS.length + Math.floor(rand() * (vocab - SPECIAL_TOKENS.length))}`;
  const lengths: number[] = [];
  const lines: string[] = [];
  for (let r = 0; r < task.rows; r++) {
    const promptWords = task.meanTokens - task.answerTokens - 8 + Math.floor(rand() * 17);
    lines.push(JSON.stringify({ prompt: Array.from({ length: promptWords }, word).join(" "), answer: Array.from({ length: task.answerTokens }, word).join(" ") }));
    lengths.push(promptWords + task.answerTokens);
  }
  writeFileSync(file, lines.join("\n") + "\n");
  return lengths;
}
