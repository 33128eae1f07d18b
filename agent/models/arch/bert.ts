// BERT and RoBERTa encoders with the masked-LM head: post-LayerNorm blocks, bidirectional attention.
import * as tf from "@tensorflow/tfjs";
import { activationByName } from "../blocks/activations.ts";
import { attention } from "../blocks/attention.ts";
import { makeContext } from "../blocks/context.ts";
import { linear, outputHead } from "../blocks/linear.ts";
import { layerNorm } from "../blocks/norm.ts";
import { ConfigFields, detectPrefix } from "./config_fields.ts";
import { layerNormSpecs, mat, table, vec } from "./tensor_specs.ts";
import { tiedHead } from "./tied_head.ts";
import type { ArchDefinition, ArchForward, TensorSpec } from "./types.ts";

/** Names of the masked-LM head, which differ between the two families. */
const HEADS = {
  bert: { dense: "cls.predictions.transform.dense", norm: "cls.predictions.transform.LayerNorm", bias: "cls.predictions.bias", decoder: "cls.predictions.decoder.weight" },
  roberta: { dense: "lm_head.dense", norm: "lm_head.layer_norm", bias: "lm_head.bias", decoder: "lm_head.decoder.weight" },
} as const;

export const bert: ArchDefinition = {
  id: "bert",
  modelTypes: ["bert", "roberta"],
  parse(raw, names, source) {
    const f = new ConfigFields(raw, source);
    const family = f.string("model_type", "bert") === "roberta" ? "roberta" : "bert";
    const d = f.number("hidden_size");
    const numLayers = f.number("num_hidden_layers");
    const numHeads = f.number("num_attention_heads");
    const vocab = f.number("vocab_size");
    const inner = f.number("intermediate_size");
    const maxPositions = f.number("max_position_embeddings");
    const typeVocab = f.number("type_vocab_size", 2);
    const eps = f.number("layer_norm_eps", 1e-12);
    const act = activationByName(f.string("hidden_act", "gelu"), `${source}: hidden_act`);
    f.unsupported("position_embedding_type", (v) => v === "absolute", "only absolute position embeddings");
    const paddingIdx = family === "roberta" ? f.number("pad_token_id", 1) : undefined;
    const head = HEADS[family];
    const tied = tiedHead(f, family, head.decoder, names, source);
    const p = detectPrefix(names, [`${family}.`, ""], "embeddings.word_embeddings.weight");
    const L = (i: number, s: string) => `${p}encoder.layer.${i}.${s}`;
    const E = (s: string) => `${p}embeddings.${s}`;

    const tensors: TensorSpec[] = [
      table(E("word_embeddings.weight"), vocab, d),
      table(E("position_embeddings.weight"), maxPositions, d),
      table(E("token_type_embeddings.weight"), typeVocab, d),
      ...layerNormSpecs(E("LayerNorm"), d),
    ];
    for (let i = 0; i < numLayers; i++) {
      for (const part of ["query", "key", "value"]) {
        tensors.push(mat(L(i, `attention.self.${part}.weight`), d, d), vec(L(i, `attention.self.${part}.bias`), d));
      }
      tensors.push(
        mat(L(i, "attention.output.dense.weight"), d, d),
        vec(L(i, "attention.output.dense.bias"), d),
        ...layerNormSpecs(L(i, "attention.output.LayerNorm"), d),
        mat(L(i, "intermediate.dense.weight"), inner, d),
        vec(L(i, "intermediate.dense.bias"), inner),
        mat(L(i, "output.dense.weight"), d, inner),
        vec(L(i, "output.dense.bias"), d),
        ...layerNormSpecs(L(i, "output.LayerNorm"), d),
      );
    }
    tensors.push(
      mat(`${head.dense}.weight`, d, d),
      vec(`${head.dense}.bias`, d),
      ...layerNormSpecs(head.norm, d),
      vec(head.bias, vocab),
    );
    if (!tied) tensors.push(mat(head.decoder, vocab, d));

    return {
      config: {
        modelType: family,
        vocabSize: vocab,
        hiddenSize: d,
        numLayers,
        numHeads,
        numKvHeads: numHeads,
        headDim: d / numHeads,
        intermediateSize: inner,
        maxPositions,
        causal: false,
        raw,
      },
      prefix: p,
      tensors,
      context: (batch) => makeContext(batch, { causal: false, paddingIdx }),
      forward(w): ArchForward {
        const ln = (name: string, x: tf.Tensor2D) => layerNorm(x, w.get(`${name}.weight`), w.get(`${name}.bias`), eps);
        return {
          embed: (ids, ctx) =>
            tf.tidy(() => {
              const words = w.rows(E("word_embeddings.weight"), ids);
              const positions = w.rows(E("position_embeddings.weight"), tf.tensor1d(ctx.positions, "int32"));
              // Every token has token type 0: one row, broadcast.
              const type0 = w.rows(E("token_type_embeddings.weight"), tf.tensor1d([0], "int32"));
              return ln(E("LayerNorm"), tf.addN([words, positions, tf.broadcastTo(type0, [words.shape[0]!, d])]) as tf.Tensor2D);
            }),
          layer: (i, h, ctx) =>
            tf.tidy(() => {
              const proj = (part: string) => linear(h, w.matrix(L(i, `attention.self.${part}.weight`)), w.get(L(i, `attention.self.${part}.bias`)));
              const mixed = attention({ q: proj("query"), k: proj("key"), v: proj("value"), batch: ctx.batch, length: ctx.length, numHeads, numKvHeads: numHeads, headDim: d / numHeads, bias: ctx.bias });
              const attnOut = linear(mixed, w.matrix(L(i, "attention.output.dense.weight")), w.get(L(i, "attention.output.dense.bias")));
              const h1 = ln(L(i, "attention.output.LayerNorm"), tf.add(h, attnOut) as tf.Tensor2D);
              const up = act(linear(h1, w.matrix(L(i, "intermediate.dense.weight")), w.get(L(i, "intermediate.dense.bias")))) as tf.Tensor2D;
              const down = linear(up, w.matrix(L(i, "output.dense.weight")), w.get(L(i, "output.dense.bias")));
              return ln(L(i, "output.LayerNorm"), tf.add(h1, down) as tf.Tensor2D);
            }),
          head: (rows) =>
            tf.tidy(() => {
              const t = ln(head.norm, act(linear(rows, w.matrix(`${head.dense}.weight`), w.get(`${head.dense}.bias`))) as tf.Tensor2D);
              return outputHead(t, w, tied ? E("word_embeddings.weight") : head.decoder, tied, w.get(head.bias));
            }),
        };
      },
    };
  },
};
