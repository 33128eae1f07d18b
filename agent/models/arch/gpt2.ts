// GPT-2: learned positions, pre-LayerNorm blocks, fused c_attn, Conv1D weights stored [in, out].
import * as tf from "@tensorflow/tfjs";
import { activationByName } from "../blocks/activations.ts";
import { attentionFromQkv, QkvLayout } from "../blocks/attention.ts";
import { makeContext } from "../blocks/context.ts";
import { linear, outputHead } from "../blocks/linear.ts";
import { layerNorm } from "../blocks/norm.ts";
import { ConfigFields, detectPrefix } from "./config_fields.ts";
import { conv1d, layerNormSpecs, mat, table, vec } from "./tensor_specs.ts";
import { tiedHead } from "./tied_head.ts";
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
    const tied = tiedHead(f, "gpt2", "lm_head.weight", names, source);
    const p = detectPrefix(names, ["transformer.", ""], "wte.weight");
    const L = (i: number, s: string) => `${p}h.${i}.${s}`;

    const tensors: TensorSpec[] = [table(`${p}wte.weight`, vocab, d), table(`${p}wpe.weight`, maxPositions, d)];
    for (let i = 0; i < numLayers; i++) {
      tensors.push(
        ...layerNormSpecs(L(i, "ln_1"), d),
        conv1d(L(i, "attn.c_attn.weight"), d, 3 * d),
        vec(L(i, "attn.c_attn.bias"), 3 * d),
        conv1d(L(i, "attn.c_proj.weight"), d, d),
        vec(L(i, "attn.c_proj.bias"), d),
        ...layerNormSpecs(L(i, "ln_2"), d),
        conv1d(L(i, "mlp.c_fc.weight"), d, inner),
        vec(L(i, "mlp.c_fc.bias"), inner),
        conv1d(L(i, "mlp.c_proj.weight"), inner, d),
        vec(L(i, "mlp.c_proj.bias"), d),
      );
    }
    tensors.push(...layerNormSpecs(`${p}ln_f`, d));
    if (!tied) tensors.push(mat("lm_head.weight", vocab, d));

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
              tf.add(w.rows(`${p}wte.weight`, ids), w.rows(`${p}wpe.weight`, tf.tensor1d(ctx.positions, "int32"))),
            ) as tf.Tensor2D,
          layer: (i, h, ctx) =>
            tf.tidy(() => {
              const a = layerNorm(h, w.get(L(i, "ln_1.weight")), w.get(L(i, "ln_1.bias")), eps);
              const qkv = linear(a, w.matrix(L(i, "attn.c_attn.weight")), w.get(L(i, "attn.c_attn.bias")));
              const mixed = attentionFromQkv({ qkv, layout: QkvLayout.blocks, batch: ctx.batch, length: ctx.length, numHeads, numKvHeads: numHeads, headDim: d / numHeads, bias: ctx.bias });
              const h1 = tf.add(h, linear(mixed, w.matrix(L(i, "attn.c_proj.weight")), w.get(L(i, "attn.c_proj.bias"))));
              const m = layerNorm(h1 as tf.Tensor2D, w.get(L(i, "ln_2.weight")), w.get(L(i, "ln_2.bias")), eps);
              const up = act(linear(m, w.matrix(L(i, "mlp.c_fc.weight")), w.get(L(i, "mlp.c_fc.bias")))) as tf.Tensor2D;
              return tf.add(h1, linear(up, w.matrix(L(i, "mlp.c_proj.weight")), w.get(L(i, "mlp.c_proj.bias")))) as tf.Tensor2D;
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
