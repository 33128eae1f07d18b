// Tiny randomly initialised Hugging Face checkpoints (config.json + model.safetensors) for every architecture.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll } from "vitest";
import { writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import type { TokenBatch } from "../../agent/models/types.ts";
import { mulberry32 } from "../../common/random.ts";

/** Seeded normal samples (mulberry32 + Box–Muller), so every run builds the same model. */
export function normalSampler(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}
export type StoredWeights = Map<string, StoredTensor>;

export interface TinyModel {
  name: string;
  config: Record<string, unknown>;
  weights: StoredWeights;
  /** A candidate matrix used by the gradient test, and how the checkpoint stores it. */
  probe: { name: string; layout: "linear" | "conv1d" };
}

const V = 29; // vocabulary
const D = 16; // hidden size
const LAYERS = 2;

function builder(seed: number) {
  const normal = normalSampler(seed);
  const weights: StoredWeights = new Map();
  const put = (name: string, shape: number[], scale = 0.3, offset = 0) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = offset + scale * normal();
    weights.set(name, { shape, data });
  };
  return { weights, put, norm: (name: string, n: number, bias = true) => { put(`${name}.weight`, [n], 0.1, 1); if (bias) put(`${name}.bias`, [n], 0.1); } };
}

function gpt2(): TinyModel {
  const { weights, put, norm } = builder(11);
  const inner = 24;
  put("transformer.wte.weight", [V, D]);
  put("transformer.wpe.weight", [12, D]);
  for (let i = 0; i < LAYERS; i++) {
    const p = `transformer.h.${i}.`;
    norm(p + "ln_1", D);
    put(p + "attn.c_attn.weight", [D, 3 * D]);
    put(p + "attn.c_attn.bias", [3 * D], 0.1);
    put(p + "attn.c_proj.weight", [D, D]);
    put(p + "attn.c_proj.bias", [D], 0.1);
    norm(p + "ln_2", D);
    put(p + "mlp.c_fc.weight", [D, inner]);
    put(p + "mlp.c_fc.bias", [inner], 0.1);
    put(p + "mlp.c_proj.weight", [inner, D]);
    put(p + "mlp.c_proj.bias", [D], 0.1);
  }
  norm("transformer.ln_f", D);
  const config = { model_type: "gpt2", vocab_size: V, n_embd: D, n_layer: LAYERS, n_head: 4, n_positions: 12, n_inner: inner, layer_norm_epsilon: 1e-5, activation_function: "gelu_new" };
  return { name: "gpt2", config, weights, probe: { name: "transformer.h.1.mlp.c_fc.weight", layout: "conv1d" } };
}

function gptj(): TinyModel {
  const { weights, put, norm } = builder(12);
  const inner = 20;
  put("transformer.wte.weight", [V, D]);
  for (let i = 0; i < LAYERS; i++) {
    const p = `transformer.h.${i}.`;
    norm(p + "ln_1", D);
    for (const m of ["q_proj", "k_proj", "v_proj", "out_proj"]) put(p + `attn.${m}.weight`, [D, D]);
    put(p + "mlp.fc_in.weight", [inner, D]);
    put(p + "mlp.fc_in.bias", [inner], 0.1);
    put(p + "mlp.fc_out.weight", [D, inner]);
    put(p + "mlp.fc_out.bias", [D], 0.1);
  }
  norm("transformer.ln_f", D);
  put("lm_head.weight", [V, D]);
  put("lm_head.bias", [V], 0.1);
  // head dim 8, rotary on the first 4 features of each head
  const config = { model_type: "gptj", vocab_size: V, n_embd: D, n_layer: LAYERS, n_head: 2, n_positions: 64, rotary_dim: 4, n_inner: inner, layer_norm_epsilon: 1e-5, activation_function: "gelu_new", tie_word_embeddings: false };
  return { name: "gptj", config, weights, probe: { name: "transformer.h.0.attn.q_proj.weight", layout: "linear" } };
}

function neox(parallel: boolean): TinyModel {
  const { weights, put, norm } = builder(parallel ? 13 : 14);
  const inner = 32;
  put("gpt_neox.embed_in.weight", [V, D]);
  for (let i = 0; i < LAYERS; i++) {
    const p = `gpt_neox.layers.${i}.`;
    norm(p + "input_layernorm", D);
    norm(p + "post_attention_layernorm", D);
    put(p + "attention.query_key_value.weight", [3 * D, D]);
    put(p + "attention.query_key_value.bias", [3 * D], 0.1);
    put(p + "attention.dense.weight", [D, D]);
    put(p + "attention.dense.bias", [D], 0.1);
    put(p + "mlp.dense_h_to_4h.weight", [inner, D]);
    put(p + "mlp.dense_h_to_4h.bias", [inner], 0.1);
    put(p + "mlp.dense_4h_to_h.weight", [D, inner]);
    put(p + "mlp.dense_4h_to_h.bias", [D], 0.1);
  }
  norm("gpt_neox.final_layer_norm", D);
  put("embed_out.weight", [V, D]);
  const config = { model_type: "gpt_neox", vocab_size: V, hidden_size: D, num_hidden_layers: LAYERS, num_attention_heads: 2, intermediate_size: inner, rotary_pct: 0.5, rotary_emb_base: 10000, layer_norm_eps: 1e-5, use_parallel_residual: parallel, hidden_act: "gelu", max_position_embeddings: 64, tie_word_embeddings: false };
  return { name: parallel ? "gpt_neox" : "gpt_neox (sequential residual)", config, weights, probe: { name: "gpt_neox.layers.1.attention.query_key_value.weight", layout: "linear" } };
}

function llama(tied: boolean): TinyModel {
  const { weights, put, norm } = builder(tied ? 15 : 16);
  const inner = 24;
  const heads = 4;
  const kvHeads = tied ? 2 : 4;
  const hd = D / heads;
  put("model.embed_tokens.weight", [V, D]);
  for (let i = 0; i < LAYERS; i++) {
    const p = `model.layers.${i}.`;
    norm(p + "input_layernorm", D, false);
    norm(p + "post_attention_layernorm", D, false);
    put(p + "self_attn.q_proj.weight", [heads * hd, D]);
    put(p + "self_attn.k_proj.weight", [kvHeads * hd, D]);
    put(p + "self_attn.v_proj.weight", [kvHeads * hd, D]);
    put(p + "self_attn.o_proj.weight", [D, heads * hd]);
    put(p + "mlp.gate_proj.weight", [inner, D]);
    put(p + "mlp.up_proj.weight", [inner, D]);
    put(p + "mlp.down_proj.weight", [D, inner]);
  }
  norm("model.norm", D, false);
  if (!tied) put("lm_head.weight", [V, D]);
  const config = { model_type: "llama", vocab_size: V, hidden_size: D, num_hidden_layers: LAYERS, num_attention_heads: heads, num_key_value_heads: kvHeads, intermediate_size: inner, rms_norm_eps: 1e-5, rope_theta: 500, hidden_act: "silu", max_position_embeddings: 64, tie_word_embeddings: tied };
  return { name: tied ? "llama (GQA, tied)" : "llama (untied)", config, weights, probe: { name: "model.layers.0.mlp.gate_proj.weight", layout: "linear" } };
}

function encoder(family: "bert" | "roberta"): TinyModel {
  const { weights, put, norm } = builder(family === "bert" ? 17 : 18);
  const inner = 28;
  const p0 = `${family}.`;
  put(p0 + "embeddings.word_embeddings.weight", [V, D]);
  put(p0 + "embeddings.position_embeddings.weight", [16, D]);
  put(p0 + "embeddings.token_type_embeddings.weight", [2, D]);
  norm(p0 + "embeddings.LayerNorm", D);
  for (let i = 0; i < LAYERS; i++) {
    const p = `${p0}encoder.layer.${i}.`;
    for (const m of ["query", "key", "value"]) {
      put(p + `attention.self.${m}.weight`, [D, D]);
      put(p + `attention.self.${m}.bias`, [D], 0.1);
    }
    put(p + "attention.output.dense.weight", [D, D]);
    put(p + "attention.output.dense.bias", [D], 0.1);
    norm(p + "attention.output.LayerNorm", D);
    put(p + "intermediate.dense.weight", [inner, D]);
    put(p + "intermediate.dense.bias", [inner], 0.1);
    put(p + "output.dense.weight", [D, inner]);
    put(p + "output.dense.bias", [D], 0.1);
    norm(p + "output.LayerNorm", D);
  }
  const head = family === "bert" ? "cls.predictions.transform.dense" : "lm_head.dense";
  put(`${head}.weight`, [D, D]);
  put(`${head}.bias`, [D], 0.1);
  norm(family === "bert" ? "cls.predictions.transform.LayerNorm" : "lm_head.layer_norm", D);
  put(family === "bert" ? "cls.predictions.bias" : "lm_head.bias", [V], 0.1);
  const config = { model_type: family, vocab_size: V, hidden_size: D, num_hidden_layers: LAYERS, num_attention_heads: 4, intermediate_size: inner, max_position_embeddings: 16, type_vocab_size: 2, layer_norm_eps: 1e-12, hidden_act: "gelu", pad_token_id: 1 };
  return { name: family, config, weights, probe: { name: `${p0}encoder.layer.1.attention.self.value.weight`, layout: "linear" } };
}

export function tinyModels(): TinyModel[] {
  return [gpt2(), gptj(), neox(true), neox(false), llama(true), llama(false), encoder("bert"), encoder("roberta")];
}

/** Writes `model` as a real checkpoint directory; the caller removes it with `removeDir`. */
export function writeTinyCheckpoint(model: TinyModel, dir = mkdtempSync(join(tmpdir(), "c2i-models-"))): string {
  writeFileSync(join(dir, "config.json"), JSON.stringify(model.config, null, 2));
  writeCheckpoint(dir, [...model.weights].map(([name, t]) => ({ name, shape: t.shape, data: t.data })));
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Loads `tiny` from a real checkpoint directory before the enclosing suite's tests, and disposes it and
 * removes the directory after them. Call inside `describe`; the returned getter reads the loaded model.
 */
export function useTinyModel(tiny: TinyModel): () => TransformerModel {
  let dir = "";
  let model: TransformerModel | undefined;
  beforeAll(async () => {
    dir = writeTinyCheckpoint(tiny);
    model = await loadModel(dir);
  });
  afterAll(() => {
    model?.dispose();
    removeDir(dir);
  });
  return () => model!;
}

/** The mean cross-entropy of the model's logits at `positions` against `targets`, as a loss closure for `gradients`. */
export function crossEntropyLoss(model: TransformerModel, batch: TokenBatch, positions: Int32Array, targets: number[]): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const logits = model.logitsAt(batch, positions);
      const onehot = tf.oneHot(tf.tensor1d(targets, "int32"), model.config.vocabSize);
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), onehot), 1))) as tf.Scalar;
    });
}

/** Two right-padded rows: 5 real tokens and 3 real tokens. */
export function tinyBatch(): TokenBatch {
  return {
    ids: Int32Array.from([3, 17, 5, 28, 9, 12, 0, 21, 0, 0]),
    mask: Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
    batch: 2,
    length: 5,
  };
}
