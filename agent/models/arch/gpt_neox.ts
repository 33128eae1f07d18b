// GPT-NeoX / Pythia: fused per-head q|k|v, rotate-half rotary on rotary_pct of each head, parallel residual.
import * as tf from "@tensorflow/tfjs";
import { activationByName } from "../blocks/activations.ts";
import { attentionFromQkv, QkvLayout } from "../blocks/attention.ts";
import { makeContext } from "../blocks/context.ts";
import { linear, outputHead } from "../blocks/linear.ts";
import { layerNorm } from "../blocks/norm.ts";
import { RopeStyle } from "../blocks/rope.ts";
import { ConfigFields, detectPrefix } from "./config_fields.ts";
import { layerNormSpecs, mat, table, vec } from "./tensor_specs.ts";
import { tiedHead } from "./tied_head.ts";
import type { ArchDefinition, ArchForward, TensorSpec } from "./types.ts";

export const gptNeox: ArchDefinition = {
  id: "gpt_neox",
  modelTypes: ["gpt_neox"],
  parse(raw, names, source) {
    const f = new ConfigFields(raw, source);
    const d = f.number("hidden_size");
    const numLayers = f.number("num_hidden_layers");
    const numHeads = f.number("num_attention_heads");
    const vocab = f.number("vocab_size");
    const inner = f.number("intermediate_size");
    const headDim = d / numHeads;
    const rotaryDim = Math.floor(headDim * f.number("rotary_pct", 1));
    const base = f.number(["rope_theta", "rotary_emb_base"], 10000);
    const eps = f.number("layer_norm_eps", 1e-5);
    const parallel = f.boolean("use_parallel_residual", true);
    const biased = f.boolean("attention_bias", true);
    const act = activationByName(f.string("hidden_act", "gelu"), `${source}: hidden_act`);
    f.unsupported("rope_scaling", () => false, "rotary scaling is not implemented for gpt_neox");
    const tied = tiedHead(f, "gpt_neox", "embed_out.weight", names, source);
    const p = detectPrefix(names, ["gpt_neox.", ""], "embed_in.weight");
    const L = (i: number, s: string) => `${p}layers.${i}.${s}`;

    const tensors: TensorSpec[] = [table(`${p}embed_in.weight`, vocab, d)];
    for (let i = 0; i < numLayers; i++) {
      tensors.push(
        ...layerNormSpecs(L(i, "input_layernorm"), d),
        ...layerNormSpecs(L(i, "post_attention_layernorm"), d),
        mat(L(i, "attention.query_key_value.weight"), 3 * d, d),
        mat(L(i, "attention.dense.weight"), d, d),
        mat(L(i, "mlp.dense_h_to_4h.weight"), inner, d),
        vec(L(i, "mlp.dense_h_to_4h.bias"), inner),
        mat(L(i, "mlp.dense_4h_to_h.weight"), d, inner),
        vec(L(i, "mlp.dense_4h_to_h.bias"), d),
      );
      if (biased) tensors.push(vec(L(i, "attention.query_key_value.bias"), 3 * d), vec(L(i, "attention.dense.bias"), d));
    }
    tensors.push(...layerNormSpecs(`${p}final_layer_norm`, d));
    if (!tied) tensors.push(mat("embed_out.weight", vocab, d));

    return {
      config: {
        modelType: "gpt_neox",
        vocabSize: vocab,
        hiddenSize: d,
        numLayers,
        numHeads,
        numKvHeads: numHeads,
        headDim,
        intermediateSize: inner,
        maxPositions: f.number("max_position_embeddings", 2048),
        causal: true,
        raw,
      },
      prefix: p,
      tensors,
      context: (batch) => makeContext(batch, { causal: true, rope: { rotaryDim, headDim, base, style: RopeStyle.rotateHalf } }),
      forward(w): ArchForward {
        const bias = (i: number, s: string) => (biased ? w.get(L(i, s)) : undefined);
        const attn = (i: number, x: tf.Tensor2D, ctx: Parameters<ArchForward["layer"]>[2]) =>
          tf.tidy(() => {
            // NeoX packs q|k|v per head: [N, heads, 3·headDim].
            const qkv = linear(x, w.matrix(L(i, "attention.query_key_value.weight")), bias(i, "attention.query_key_value.bias"));
            const mixed = attentionFromQkv({ qkv, layout: QkvLayout.perHead, batch: ctx.batch, length: ctx.length, numHeads, numKvHeads: numHeads, headDim, bias: ctx.bias, rope: ctx.rope });
            return linear(mixed, w.matrix(L(i, "attention.dense.weight")), bias(i, "attention.dense.bias"));
          });
        const mlp = (i: number, x: tf.Tensor2D) =>
          tf.tidy(() => {
            const up = act(linear(x, w.matrix(L(i, "mlp.dense_h_to_4h.weight")), w.get(L(i, "mlp.dense_h_to_4h.bias")))) as tf.Tensor2D;
            return linear(up, w.matrix(L(i, "mlp.dense_4h_to_h.weight")), w.get(L(i, "mlp.dense_4h_to_h.bias")));
          });
        const ln = (i: number, which: string, x: tf.Tensor2D) => layerNorm(x, w.get(L(i, `${which}.weight`)), w.get(L(i, `${which}.bias`)), eps);
        return {
          embed: (ids) => w.rows(`${p}embed_in.weight`, ids),
          layer: (i, h, ctx) =>
            tf.tidy(() => {
              if (parallel) {
                return tf.addN([h, attn(i, ln(i, "input_layernorm", h), ctx), mlp(i, ln(i, "post_attention_layernorm", h))]) as tf.Tensor2D;
              }
              const h1 = tf.add(h, attn(i, ln(i, "input_layernorm", h), ctx)) as tf.Tensor2D;
              return tf.add(h1, mlp(i, ln(i, "post_attention_layernorm", h1))) as tf.Tensor2D;
            }),
          head: (rows) =>
            tf.tidy(() => {
              const n = layerNorm(rows, w.get(`${p}final_layer_norm.weight`), w.get(`${p}final_layer_norm.bias`), eps);
              return outputHead(n, w, tied ? `${p}embed_in.weight` : "embed_out.weight", tied);
            }),
        };
      },
    };
  },
};
