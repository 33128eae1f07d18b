// GPT-2: learned positions, pre-LayerNorm blocks, fused c_attn, Conv1D weights stored [in, out].
import * as tf from "@tensorflow/tfjs";
import { activationByName } from "../blocks/activations.ts";
import { attention } from "../blocks/attention.ts";
import { makeContext } from "../blocks/context.ts";
import { linear, outputHead } from "../blocks/linear.ts";
import { layerNorm } from "../blocks/norm.ts";
import { StoredLayout } from "../layout.ts";
import { ConfigFields, detectPrefix } from "./config_fields.ts";
import type { ArchDefinition, ArchForward, TensorSpec } from "./types.ts";

export const gpt2: ArchDefinition = {
  id: "gpt2",
  modelTypes: ["gpt2"],
  parse(raw, names, source) {
    const f = new ConfigFields(raw, source);
    const d = f.number("n_embd");
    const numLayers = f.number("n_layer");
    const numHeads = f.number("n_head");
    const vocab = f.number("vocab_size");
    const maxPositions = f.number("n_positions");
    const inner = f.number("n_inner", 4 * d);
    const eps = f.number("layer_norm_epsilon", 1e-5);
    const act = activationByName(f.string("activation_function", "gelu_new"), `${source}: activation_function`);
    f.unsupported("scale_attn_by_inverse_layer_idx", (v) => v === false, "only the standard 1/√d attention scale");
    f.unsupported("reorder_and_upcast_attn", (v) => v === false, "attention is computed in float32 already");
    const tied = f.boolean("tie_word_embeddings", true) || !names.has("lm_head.weight");
    const p = detectPrefix(names, ["transformer.", ""], "wte.weight");
    const L = (i: number, s: string) => `${p}h.${i}.${s}`;

    const tensors: TensorSpec[] = [
      { name: `${p}wte.weight`, shape: [vocab, d], layout: StoredLayout.plain },
      { name: `${p}wpe.weight`, shape: [maxPositions, d], layout: StoredLayout.plain },
    ];
    for (let i = 0; i < numLayers; i++) {
      tensors.push(
        { name: L(i, "ln_1.weight"), shape: [d], layout: StoredLayout.plain },
        { name: L(i, "ln_1.bias"), shape: [d], layout: StoredLayout.plain },
        { name: L(i, "attn.c_attn.weight"), shape: [d, 3 * d], layout: StoredLayout.conv1d },
        { name: L(i, "attn.c_attn.bias"), shape: [3 * d], layout: StoredLayout.plain },
        { name: L(i, "attn.c_proj.weight"), shape: [d, d], layout: StoredLayout.conv1d },
        { name: L(i, "attn.c_proj.bias"), shape: [d], layout: StoredLayout.plain },
        { name: L(i, "ln_2.weight"), shape: [d], layout: StoredLayout.plain },
        { name: L(i, "ln_2.bias"), shape: [d], layout: StoredLayout.plain },
        { name: L(i, "mlp.c_fc.weight"), shape: [d, inner], layout: StoredLayout.conv1d },
        { name: L(i, "mlp.c_fc.bias"), shape: [inner], layout: StoredLayout.plain },
        { name: L(i, "mlp.c_proj.weight"), shape: [inner, d], layout: StoredLayout.conv1d },
        { name: L(i, "mlp.c_proj.bias"), shape: [d], layout: StoredLayout.plain },
      );
    }
    tensors.push(
      { name: `${p}ln_f.weight`, shape: [d], layout: StoredLayout.plain },
      { name: `${p}ln_f.bias`, shape: [d], layout: StoredLayout.plain },
    );
    if (!tied) tensors.push({ name: "lm_head.weight", shape: [vocab, d], layout: StoredLayout.linear });

    return {
      config: {
        modelType: "gpt2",
        vocabSize: vocab,
        hiddenSize: d,
        numLayers,
        numHeads,
        numKvHeads: numHeads,
        headDim: d / numHeads,
        intermediateSize: inner,
        maxPositions,
        causal: true,
        raw,
      },
      prefix: p,
      tensors,
      context: (batch) => makeContext(batch, { causal: true }),
      forward(w): ArchForward {
        return {
          embed: (ids, ctx) =>
            tf.tidy(() =>
              tf.add(tf.gather(w.get(`${p}wte.weight`), ids), tf.gather(w.get(`${p}wpe.weight`), tf.tensor1d(ctx.positions, "int32"))),
            ) as tf.Tensor2D,
          layer: (i, h, ctx) =>
            tf.tidy(() => {
              const a = layerNorm(h, w.get(L(i, "ln_1.weight")), w.get(L(i, "ln_1.bias")), eps);
              const qkv = linear(a, w.get(L(i, "attn.c_attn.weight")), w.get(L(i, "attn.c_attn.bias")));
              const [q, k, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
              const mixed = attention({ q, k, v, batch: ctx.batch, length: ctx.length, numHeads, numKvHeads: numHeads, headDim: d / numHeads, bias: ctx.bias });
              const h1 = tf.add(h, linear(mixed, w.get(L(i, "attn.c_proj.weight")), w.get(L(i, "attn.c_proj.bias"))));
              const m = layerNorm(h1 as tf.Tensor2D, w.get(L(i, "ln_2.weight")), w.get(L(i, "ln_2.bias")), eps);
              const up = act(linear(m, w.get(L(i, "mlp.c_fc.weight")), w.get(L(i, "mlp.c_fc.bias")))) as tf.Tensor2D;
              return tf.add(h1, linear(up, w.get(L(i, "mlp.c_proj.weight")), w.get(L(i, "mlp.c_proj.bias")))) as tf.Tensor2D;
            }),
          head: (rows) =>
            tf.tidy(() => {
              const n = layerNorm(rows, w.get(`${p}ln_f.weight`), w.get(`${p}ln_f.bias`), eps);
              return outputHead(n, w, tied ? `${p}wte.weight` : "lm_head.weight", tied);
            }),
        };
      },
    };
  },
};
