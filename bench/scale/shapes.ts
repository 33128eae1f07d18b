// The real models' shapes the scale bench runs on: their Hugging Face config.json values, and the tensors they imply.
import type { Dtype } from "../../agent/checkpoint/dtype.ts";

/** How a tensor is initialised: weights ~ std 0.02, norm scales 1, biases 0 (GPT-2's and Llama's init). */
export const TensorRole = { weight: "weight", norm: "norm", bias: "bias" } as const;
export type TensorRole = (typeof TensorRole)[keyof typeof TensorRole];

export interface TensorSpec {
  name: string;
  shape: number[];
  role: TensorRole;
}

export interface ScaleShape {
  /** Short id for `--shapes`. */
  id: string;
  label: string;
  /** The dtype the published checkpoint stores. */
  dtype: Dtype;
  /** Parameter count published for the model (model card / paper), to check the shape against. */
  published: number;
  /** config.json as published (the fields the engine reads, and the ones that say what the model is). */
  config: Record<string, unknown>;
  layers: number;
}

/** GPT-2 config.json (openai-community/gpt2, -medium, -large): only n_embd, n_head and n_layer differ. */
function gpt2(id: string, label: string, layers: number, d: number, heads: number, published: number): ScaleShape {
  const config = {
    architectures: ["GPT2LMHeadModel"], model_type: "gpt2", activation_function: "gelu_new", n_ctx: 1024, n_positions: 1024,
    n_embd: d, n_head: heads, n_layer: layers, n_inner: null, vocab_size: 50257, layer_norm_epsilon: 1e-5,
    initializer_range: 0.02, bos_token_id: 50256, eos_token_id: 50256, torch_dtype: "float32",
  };
  return { id, label, dtype: "F32", published, config, layers };
}

const LLAMA_COMMON = {
  architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_act: "silu", attention_bias: false, mlp_bias: false,
  initializer_range: 0.02, rms_norm_eps: 1e-5, pretraining_tp: 1, torch_dtype: "bfloat16",
};

export const SHAPES: readonly ScaleShape[] = [
  gpt2("gpt2-small", "GPT-2 small (12 × 768)", 12, 768, 12, 124_439_808),
  gpt2("gpt2-medium", "GPT-2 medium (24 × 1024)", 24, 1024, 16, 354_823_168),
  gpt2("gpt2-large", "GPT-2 large (36 × 1280)", 36, 1280, 20, 774_030_080),
  {
    id: "tinyllama",
    label: "TinyLlama-1.1B (22 × 2048, MLP 5632, 32/4 heads)",
    dtype: "BF16",
    published: 1_100_048_384,
    layers: 22,
    // TinyLlama/TinyLlama-1.1B-Chat-v1.0 config.json
    config: {
      ...LLAMA_COMMON, hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22, num_attention_heads: 32,
      num_key_value_heads: 4, vocab_size: 32000, max_position_embeddings: 2048, rope_theta: 10000.0, rope_scaling: null,
      tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 2,
    },
  },
  {
    id: "llama3.2-1b",
    label: "Llama-3.2-1B (16 × 2048, MLP 8192, 32/8 heads, tied)",
    dtype: "BF16",
    published: 1_235_814_400,
    layers: 16,
    // meta-llama/Llama-3.2-1B config.json, with its llama3 rope_scaling
    config: {
      ...LLAMA_COMMON, hidden_size: 2048, intermediate_size: 8192, num_hidden_layers: 16, num_attention_heads: 32,
      num_key_value_heads: 8, head_dim: 64, vocab_size: 128256, max_position_embeddings: 131072, rope_theta: 500000.0,
      rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: "llama3" },
      tie_word_embeddings: true, bos_token_id: 128000, eos_token_id: 128001,
    },
  },
];

/**
 * Llama-3.2-1B without its llama3 rope_scaling: the engine refused that scaling (UNSUPPORTED_ARCH) until it implemented
 * it, so this variant measured what the model's size does to the engine. Same tensors and cost; only the rotary
 * frequencies differ.
 */
export const LLAMA32_NO_SCALING: ScaleShape = (() => {
  const base = SHAPES.find((s) => s.id === "llama3.2-1b")!;
  return { ...base, id: "llama3.2-1b-noscale", label: `${base.label}, rope_scaling removed`, config: { ...base.config, rope_scaling: null } };
})();

export const ALL_SHAPES: readonly ScaleShape[] = [...SHAPES, LLAMA32_NO_SCALING];

export function shapeById(id: string): ScaleShape {
  const s = ALL_SHAPES.find((x) => x.id === id);
  if (!s) throw new Error(`unknown shape "${id}"; known: ${ALL_SHAPES.map((x) => x.id).join(", ")}`);
  return s;
}

const num = (config: Record<string, unknown>, key: string): number => config[key] as number;

/** The width numbers every count below needs, read from config.json. */
export function dims(s: ScaleShape): { d: number; inner: number; vocab: number; qDim: number; kvDim: number; tied: boolean } {
  const c = s.config;
  if (c.model_type === "gpt2") {
    const d = num(c, "n_embd");
    return { d, inner: 4 * d, vocab: num(c, "vocab_size"), qDim: d, kvDim: d, tied: true };
  }
  const d = num(c, "hidden_size");
  const headDim = (c.head_dim as number | undefined) ?? d / num(c, "num_attention_heads");
  return {
    d, inner: num(c, "intermediate_size"), vocab: num(c, "vocab_size"),
    qDim: num(c, "num_attention_heads") * headDim, kvDim: num(c, "num_key_value_heads") * headDim, tied: c.tie_word_embeddings === true,
  };
}

/** One layer's tensors (GPT-2: Conv1D weights stored [in, out], as Hugging Face stores them). */
export function layerTensors(s: ScaleShape, i: number): TensorSpec[] {
  const { d, inner, qDim, kvDim } = dims(s);
  const w = (name: string, shape: number[]): TensorSpec => ({ name, shape, role: TensorRole.weight });
  const n = (name: string, size: number): TensorSpec => ({ name, shape: [size], role: TensorRole.norm });
  const b = (name: string, size: number): TensorSpec => ({ name, shape: [size], role: TensorRole.bias });
  if (s.config.model_type === "gpt2") {
    const p = `transformer.h.${i}.`;
    return [
      n(p + "ln_1.weight", d), b(p + "ln_1.bias", d),
      w(p + "attn.c_attn.weight", [d, 3 * d]), b(p + "attn.c_attn.bias", 3 * d),
      w(p + "attn.c_proj.weight", [d, d]), b(p + "attn.c_proj.bias", d),
      n(p + "ln_2.weight", d), b(p + "ln_2.bias", d),
      w(p + "mlp.c_fc.weight", [d, inner]), b(p + "mlp.c_fc.bias", inner),
      w(p + "mlp.c_proj.weight", [inner, d]), b(p + "mlp.c_proj.bias", d),
    ];
  }
  const p = `model.layers.${i}.`;
  return [
    n(p + "input_layernorm.weight", d),
    w(p + "self_attn.q_proj.weight", [qDim, d]), w(p + "self_attn.k_proj.weight", [kvDim, d]),
    w(p + "self_attn.v_proj.weight", [kvDim, d]), w(p + "self_attn.o_proj.weight", [d, qDim]),
    n(p + "post_attention_layernorm.weight", d),
    w(p + "mlp.gate_proj.weight", [inner, d]), w(p + "mlp.up_proj.weight", [inner, d]), w(p + "mlp.down_proj.weight", [d, inner]),
  ];
}

/** The tensors outside the layers: embeddings, the final norm and an untied head. */
export function outerTensors(s: ScaleShape): TensorSpec[] {
  const { d, vocab, tied } = dims(s);
  if (s.config.model_type === "gpt2") {
    return [
      { name: "transformer.wte.weight", shape: [vocab, d], role: TensorRole.weight },
      { name: "transformer.wpe.weight", shape: [num(s.config, "n_positions"), d], role: TensorRole.weight },
      { name: "transformer.ln_f.weight", shape: [d], role: TensorRole.norm },
      { name: "transformer.ln_f.bias", shape: [d], role: TensorRole.bias },
    ];
  }
  const out: TensorSpec[] = [
    { name: "model.embed_tokens.weight", shape: [vocab, d], role: TensorRole.weight },
    { name: "model.norm.weight", shape: [d], role: TensorRole.norm },
  ];
  if (!tied) out.push({ name: "lm_head.weight", shape: [vocab, d], role: TensorRole.weight });
  return out;
}

const size = (t: TensorSpec) => t.shape.reduce((a, b) => a * b, 1);

/** Every parameter of the checkpoint (a tied head counted once, as the published counts do). */
export function parameterCount(s: ScaleShape): number {
  let n = outerTensors(s).reduce((a, t) => a + size(t), 0);
  for (let i = 0; i < s.layers; i++) n += layerTensors(s, i).reduce((a, t) => a + size(t), 0);
  return n;
}

/** Parameters of one layer's candidate matrices (what every token multiplies through). */
export function matrixParamsPerLayer(s: ScaleShape): number {
  return layerTensors(s, 0).filter((t) => t.role === TensorRole.weight).reduce((a, t) => a + size(t), 0);
}

/** Bytes of the checkpoint as stored. */
export function storedBytes(s: ScaleShape): number {
  return parameterCount(s) * (s.dtype === "F32" ? 4 : 2);
}
