// GPT-J: parallel attention + MLP off one LayerNorm, interleaved rotary on the first rotary_dim features.
import * as tf from "@tensorflow/tfjs";
import { activationByName } from "../blocks/activations.ts";
import { attention } from "../blocks/attention.ts";
import { makeContext } from "../blocks/context.ts";
import { linear, outputHead } from "../blocks/linear.ts";
import { layerNorm } from "../blocks/norm.ts";
import { RopeStyle } from "../blocks/rope.ts";
import { ConfigFields, detectPrefix } from "./config_fields.ts";
import { layerNormSpecs, mat, table, vec } from "./tensor_specs.ts";
import { tiedHead } from "./tied_head.ts";
import type { ArchDefinition, ArchForward, TensorSpec } from "./types.ts";

export const gptj: ArchDefinition = {
  id: "gptj",
  modelTypes: ["gptj"],
  parse(raw, names, source) {
    const f = new ConfigFields(raw, source);
    const d = f.number("n_embd");
    const numLayers = f.number("n_layer");
    const numHeads = f.number("n_head");
    const vocab = f.number("vocab_size");
    const headDim = d / numHeads;
    const rotaryDim = f.number("rotary_dim", headDim);
    const inner = f.number("n_inner", 4 * d);
    const eps = f.number("layer_norm_epsilon", 1e-5);
    const act = activationByName(f.string("activation_function", "gelu_new"), `${source}: activation_function`);
    const tied = tiedHead(f, "gptj", "lm_head.weight", names, source);
    const p = detectPrefix(names, ["transformer.", ""], "wte.weight");
    const L = (i: number, s: string) => `${p}h.${i}.${s}`;

    const tensors: TensorSpec[] = [table(`${p}wte.weight`, vocab, d)];
    for (let i = 0; i < numLayers; i++) {
      tensors.push(
        ...layerNormSpecs(L(i, "ln_1"), d),
        mat(L(i, "attn.q_proj.weight"), d, d),
        mat(L(i, "attn.k_proj.weight"), d, d),
        mat(L(i, "attn.v_proj.weight"), d, d),
        mat(L(i, "attn.out_proj.weight"), d, d),
        mat(L(i, "mlp.fc_in.weight"), inner, d),
        vec(L(i, "mlp.fc_in.bias"), inner),
        mat(L(i, "mlp.fc_out.weight"), d, inner),
        vec(L(i, "mlp.fc_out.bias"), d),
      );
    }
    tensors.push(...layerNormSpecs(`${p}ln_f`, d));
    if (!tied) tensors.push(mat("lm_head.weight", vocab, d));
    const headBias = names.has("lm_head.bias");
    if (headBias) tensors.push(vec("lm_head.bias", vocab));

    return {
      config: {
        modelType: "gptj",
        vocabSize: vocab,
        hiddenSize: d,
        numLayers,
        numHeads,
        numKvHeads: numHeads,
        headDim,
        intermediateSize: inner,
        maxPositions: f.number("n_positions", 2048),
        causal: true,
        raw,
      },
      prefix: p,
      tensors,
      context: (batch) =>
        makeContext(batch, { causal: true, rope: { rotaryDim, headDim, base: 10000, style: RopeStyle.interleaved } }),
      forward(w): ArchForward {
        return {
          embed: (ids) => w.rows(`${p}wte.weight`, ids) as tf.Tensor2D,
          layer: (i, h, ctx) =>
            tf.tidy(() => {
              const a = layerNorm(h, w.get(L(i, "ln_1.weight")), w.get(L(i, "ln_1.bias")), eps);
              const mixed = attention({
                q: linear(a, w.matrix(L(i, "attn.q_proj.weight"))),
                k: linear(a, w.matrix(L(i, "attn.k_proj.weight"))),
                v: linear(a, w.matrix(L(i, "attn.v_proj.weight"))),
                batch: ctx.batch,
                length: ctx.length,
                numHeads,
                numKvHeads: numHeads,
                headDim,
                bias: ctx.bias,
                rope: ctx.rope,
              });
              const attn = linear(mixed, w.matrix(L(i, "attn.out_proj.weight")));
              const up = act(linear(a, w.matrix(L(i, "mlp.fc_in.weight")), w.get(L(i, "mlp.fc_in.bias")))) as tf.Tensor2D;
              const mlp = linear(up, w.matrix(L(i, "mlp.fc_out.weight")), w.get(L(i, "mlp.fc_out.bias")));
              return tf.addN([h, attn, mlp]) as tf.Tensor2D;
            }),
          head: (rows) =>
            tf.tidy(() => {
              const n = layerNorm(rows, w.get(`${p}ln_f.weight`), w.get(`${p}ln_f.bias`), eps);
              return outputHead(n, w, tied ? `${p}wte.weight` : "lm_head.weight", tied, headBias ? w.get("lm_head.bias") : undefined);
            }),
        };
      },
    };
  },
};
