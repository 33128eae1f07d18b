// Randomly initialised GPT-2 / Llama checkpoints of any depth, a character tokenizer and a choice task for them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { mulberry32 } from "../../common/random.ts";
import { normalSampler } from "../models/fixtures.ts";

export interface RandomModelOptions {
  arch: "gpt2" | "llama";
  layers: number;
  hidden: number;
  heads: number;
  /** MLP width. @default 4 · hidden */
  inner?: number;
  /** @default 64 */
  positions?: number;
  /** @default 32 (the character tokenizer's) */
  vocab?: number;
  /** Standard deviation of the weights (norms start at 1). @default 0.3 / √hidden · 4 */
  scale?: number;
  /** @default 1 */
  seed?: number;
}

/** Writes config.json + model.safetensors into `dir` (created) and returns it. */
export function writeRandomCheckpoint(dir: string, o: RandomModelOptions): string {
  const normal = normalSampler(o.seed ?? 1);
  const D = o.hidden;
  const inner = o.inner ?? 4 * D;
  const V = o.vocab ?? CHAR_VOCAB;
  const P = o.positions ?? 64;
  const scale = o.scale ?? 1.2 / Math.sqrt(D);
  const tensors: { name: string; shape: number[]; data: Float32Array }[] = [];
  const put = (name: string, shape: number[], s = scale, offset = 0) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = offset + s * normal();
    tensors.push({ name, shape, data });
  };
  let config: Record<string, unknown>;
  if (o.arch === "gpt2") {
    put("transformer.wte.weight", [V, D]);
    put("transformer.wpe.weight", [P, D]);
    for (let i = 0; i < o.layers; i++) {
      const p = `transformer.h.${i}.`;
      put(p + "ln_1.weight", [D], 0.05, 1);
      put(p + "ln_1.bias", [D], 0.05);
      put(p + "attn.c_attn.weight", [D, 3 * D]);
      put(p + "attn.c_attn.bias", [3 * D], 0.05);
      put(p + "attn.c_proj.weight", [D, D]);
      put(p + "attn.c_proj.bias", [D], 0.05);
      put(p + "ln_2.weight", [D], 0.05, 1);
      put(p + "ln_2.bias", [D], 0.05);
      put(p + "mlp.c_fc.weight", [D, inner]);
      put(p + "mlp.c_fc.bias", [inner], 0.05);
      put(p + "mlp.c_proj.weight", [inner, D]);
      put(p + "mlp.c_proj.bias", [D], 0.05);
    }
    put("transformer.ln_f.weight", [D], 0.05, 1);
    put("transformer.ln_f.bias", [D], 0.05);
    config = { model_type: "gpt2", vocab_size: V, n_embd: D, n_layer: o.layers, n_head: o.heads, n_positions: P, n_inner: inner, layer_norm_epsilon: 1e-5, activation_function: "gelu_new" };
  } else {
    const hd = D / o.heads;
    const kv = Math.max(1, o.heads / 2);
    put("model.embed_tokens.weight", [V, D]);
    for (let i = 0; i < o.layers; i++) {
      const p = `model.layers.${i}.`;
      put(p + "input_layernorm.weight", [D], 0.05, 1);
      put(p + "post_attention_layernorm.weight", [D], 0.05, 1);
      put(p + "self_attn.q_proj.weight", [o.heads * hd, D]);
      put(p + "self_attn.k_proj.weight", [kv * hd, D]);
      put(p + "self_attn.v_proj.weight", [kv * hd, D]);
      put(p + "self_attn.o_proj.weight", [D, o.heads * hd]);
      put(p + "mlp.gate_proj.weight", [inner, D]);
      put(p + "mlp.up_proj.weight", [inner, D]);
      put(p + "mlp.down_proj.weight", [D, inner]);
    }
    put("model.norm.weight", [D], 0.05, 1);
    put("lm_head.weight", [V, D]);
    config = {
      model_type: "llama", vocab_size: V, hidden_size: D, num_hidden_layers: o.layers, num_attention_heads: o.heads, num_key_value_heads: kv,
      intermediate_size: inner, rms_norm_eps: 1e-5, rope_theta: 10000, hidden_act: "silu", max_position_embeddings: P, tie_word_embeddings: false,
    };
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  writeCheckpoint(dir, tensors);
  return dir;
}

/** Letters a–z, space and a few marks; id 0 pads, 1 ends. */
const ALPHABET = " abcdefghijklmnopqrstuvwxyz.,?";
export const CHAR_VOCAB = 2 + ALPHABET.length;

/** One token per character: enough for the task protocols, no files needed. */
export function charTokenizer(source = "char-tokenizer"): Tokenizer {
  const idOf = (c: string) => {
    const i = ALPHABET.indexOf(c.toLowerCase());
    return i < 0 ? 2 + ALPHABET.indexOf("?") : 2 + i;
  };
  return {
    source,
    encode: (text) => [...text].map(idOf),
    decode: (ids, options) => ids.filter((id) => !(options?.skipSpecial && id < 2)).map((id) => (id < 2 ? "" : ALPHABET[id - 2]!)).join(""),
    tokenId: (token) => (token.length === 1 && ALPHABET.includes(token) ? idOf(token) : undefined),
    addsBos: false,
    eos: 1,
    addsEos: false,
    pad: 0,
    vocabSize: CHAR_VOCAB,
  };
}

const WORDS = ["red", "blue", "cat", "dog", "sun", "moon", "tree", "rock", "sea", "sky", "ant", "owl"];

/** `rows` seeded choice rows (prompt + 2–3 word choices) as JSONL at `file`; prompts stay under `maxChars`. */
export function writeChoiceTask(file: string, rows: number, seed = 7, maxChars = 20): string {
  const random = mulberry32(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    let prompt = `${pick()} ${pick()} ${pick()} is`;
    prompt = prompt.slice(0, maxChars);
    const n = 2 + Math.floor(random() * 2);
    const pool = [...WORDS];
    const choices = Array.from({ length: n }, () => ` ${pool.splice(Math.floor(random() * pool.length), 1)[0]!}`);
    lines.push(JSON.stringify({ prompt, choices, label: Math.floor(random() * n) }));
  }
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** `rows` seeded answer rows (generative protocol). */
export function writeAnswerTask(file: string, rows: number, seed = 9): string {
  const random = mulberry32(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const lines = Array.from({ length: rows }, () => JSON.stringify({ prompt: `the ${pick()} of ${pick()} is`, answer: ` ${pick()}` }));
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}
