// llama2.c weight blocks → Hugging Face Llama tensors (names, shapes, w1/w3/w2 → gate/up/down, RoPE row order for q/k).
import { closeSync, openSync } from "node:fs";
import type { Dtype } from "../dtype.ts";
import { readExactly } from "../file.ts";
import type { TensorToWrite } from "../writer.ts";
import type { BlockName, Llama2cLayout } from "./header.ts";
import { permuteForRotateHalf } from "./permute.ts";

/** Read every weight of a validated llama2.c file as Hugging Face Llama tensors, in Hugging Face order. */
export function readLlama2cWeights(file: string, layout: Llama2cLayout, dtype: Dtype = "F32"): TensorToWrite[] {
  const c = layout.config;
  const kvDim = (c.dim * c.nKvHeads) / c.nHeads;
  const fd = openSync(file, "r");
  try {
    /** `count` floats of block `name`, starting at element `start` of the block. */
    const read = (name: BlockName, start: number, count: number): Float32Array => {
      const block = layout.blocks[name]!;
      const out = new Float32Array(count);
      readExactly(fd, file, new Uint8Array(out.buffer), block.offset + start * 4, `llama2.c block ${name}`);
      return out;
    };
    const t = (name: string, shape: number[], data: Float32Array): TensorToWrite => ({ name, shape, data, dtype });
    const tensors: TensorToWrite[] = [t("model.embed_tokens.weight", [c.vocabSize, c.dim], read("embed", 0, c.vocabSize * c.dim))];
    for (let l = 0; l < c.nLayers; l++) {
      const p = `model.layers.${l}`;
      const dd = c.dim * c.dim;
      const kd = kvDim * c.dim;
      const hd = c.hiddenDim * c.dim;
      tensors.push(
        t(`${p}.input_layernorm.weight`, [c.dim], read("rmsAtt", l * c.dim, c.dim)),
        t(`${p}.self_attn.q_proj.weight`, [c.dim, c.dim], permuteForRotateHalf(read("wq", l * dd, dd), c.nHeads, c.dim)),
        t(`${p}.self_attn.k_proj.weight`, [kvDim, c.dim], permuteForRotateHalf(read("wk", l * kd, kd), c.nKvHeads, c.dim)),
        t(`${p}.self_attn.v_proj.weight`, [kvDim, c.dim], read("wv", l * kd, kd)),
        t(`${p}.self_attn.o_proj.weight`, [c.dim, c.dim], read("wo", l * dd, dd)),
        t(`${p}.post_attention_layernorm.weight`, [c.dim], read("rmsFfn", l * c.dim, c.dim)),
        t(`${p}.mlp.gate_proj.weight`, [c.hiddenDim, c.dim], read("w1", l * hd, hd)),
        t(`${p}.mlp.up_proj.weight`, [c.hiddenDim, c.dim], read("w3", l * hd, hd)),
        t(`${p}.mlp.down_proj.weight`, [c.dim, c.hiddenDim], read("w2", l * hd, hd)),
      );
    }
    tensors.push(t("model.norm.weight", [c.dim], read("rmsFinal", 0, c.dim)));
    if (!c.sharedClassifier) tensors.push(t("lm_head.weight", [c.vocabSize, c.dim], read("wcls", 0, c.vocabSize * c.dim)));
    return tensors;
  } finally {
    closeSync(fd);
  }
}

/** The Hugging Face config.json of the converted model. */
export function llamaConfigJson(layout: Llama2cLayout, dtype: Dtype = "F32"): Record<string, unknown> {
  const c = layout.config;
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    hidden_size: c.dim,
    intermediate_size: c.hiddenDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: c.dim / c.nHeads,
    vocab_size: c.vocabSize,
    max_position_embeddings: c.seqLen,
    hidden_act: "silu",
    rms_norm_eps: 1e-5,
    rope_theta: 10000.0,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    tie_word_embeddings: c.sharedClassifier,
    bos_token_id: 1,
    eos_token_id: 2,
    initializer_range: 0.02,
    use_cache: true,
    torch_dtype: { F32: "float32", F16: "float16", BF16: "bfloat16" }[dtype],
  };
}
