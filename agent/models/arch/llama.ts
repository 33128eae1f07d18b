// Llama family: RMSNorm, SwiGLU MLP, rotate-half RoPE with rope_theta (linear or llama3 rope_scaling), grouped-query attention.
import * as tf from "@tensorflow/tfjs";
import { activationByName } from "../blocks/activations.ts";
import { attention } from "../blocks/attention.ts";
import { makeContext } from "../blocks/context.ts";
import { linear, outputHead } from "../blocks/linear.ts";
import { rmsNorm } from "../blocks/norm.ts";
import { RopeStyle } from "../blocks/rope.ts";
import type { RopeScaling } from "../blocks/rope_scaling.ts";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { previewJson } from "../../../common/preview.ts";
import { ConfigFields, detectPrefix } from "./config_fields.ts";
import { mat, table, vec } from "./tensor_specs.ts";
import { tiedHead } from "./tied_head.ts";
import type { ArchDefinition, ArchForward, TensorSpec } from "./types.ts";

/** The rope_scaling forms implemented, as the refusal lists them ("type" is read where "rope_type" is absent). */
const SUPPORTED_ROPE_SCALING =
  'null, {"rope_type":"default"}, {"rope_type":"linear","factor":f}, ' +
  '{"rope_type":"llama3","factor":f,"low_freq_factor":l,"high_freq_factor":h,"original_max_position_embeddings":n}';

/**
 * config.json's rope_scaling: none, linear position interpolation or Llama 3's. A malformed one is CHECKPOINT_CORRUPT;
 * another kind (dynamic, yarn, …) is UNSUPPORTED_ARCH rather than computed as something else.
 */
function ropeScaling(raw: Record<string, unknown>, source: string): RopeScaling | undefined {
  const scaling = raw["rope_scaling"];
  if (scaling == null) return undefined;
  if (typeof scaling !== "object" || Array.isArray(scaling)) {
    throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${source}: rope_scaling must be an object or null, found ${previewJson(scaling)}`);
  }
  const f = new ConfigFields(scaling as Record<string, unknown>, `${source}: rope_scaling`);
  const positive = (key: string, integer = false): number => {
    const value = f.number(key);
    if (value > 0 && (!integer || Number.isInteger(value))) return value;
    const what = integer ? "a positive integer" : "positive";
    throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${source}: rope_scaling field "${key}" must be ${what}, found ${value}`);
  };
  const type = f.has("rope_type") ? f.string("rope_type", "") : f.string("type", "");
  if (type === "default") return undefined;
  if (type === "linear") return { kind: "linear", factor: positive("factor") };
  if (type === "llama3") {
    const llama3 = {
      kind: "llama3",
      factor: positive("factor"),
      lowFreqFactor: positive("low_freq_factor"),
      highFreqFactor: positive("high_freq_factor"),
      originalMaxPositions: positive("original_max_position_embeddings", true),
    } as const;
    if (llama3.lowFreqFactor >= llama3.highFreqFactor) {
      throw new C2iError(
        ErrorCode.CHECKPOINT_CORRUPT,
        `${source}: rope_scaling low_freq_factor ${llama3.lowFreqFactor} must be below high_freq_factor ${llama3.highFreqFactor} (frequencies between the two are blended)`,
      );
    }
    return llama3;
  }
  throw new C2iError(ErrorCode.UNSUPPORTED_ARCH, `${source}: rope_scaling ${previewJson(scaling)} is not supported; supported: ${SUPPORTED_ROPE_SCALING}`);
}

export const llama: ArchDefinition = {
  id: "llama",
  modelTypes: ["llama"],
  parse(raw, names, source) {
    const f = new ConfigFields(raw, source);
    const d = f.number("hidden_size");
    const numLayers = f.number("num_hidden_layers");
    const numHeads = f.number("num_attention_heads");
    const numKvHeads = f.number("num_key_value_heads", numHeads);
    const headDim = f.number("head_dim", d / numHeads);
    const vocab = f.number("vocab_size");
    const inner = f.number("intermediate_size");
    const eps = f.number("rms_norm_eps", 1e-6);
    const theta = f.number("rope_theta", 10000);
    const scaling = ropeScaling(raw, source);
    const attnBias = f.boolean("attention_bias", false);
    const mlpBias = f.boolean("mlp_bias", false);
    const act = activationByName(f.string("hidden_act", "silu"), `${source}: hidden_act`);
    if (numHeads % numKvHeads !== 0) {
      throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${source}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
    }
    const tied = tiedHead(f, "llama", "lm_head.weight", names, source);
    const p = detectPrefix(names, ["model.", ""], "embed_tokens.weight");
    const L = (i: number, s: string) => `${p}layers.${i}.${s}`;
    const qDim = numHeads * headDim;
    const kvDim = numKvHeads * headDim;

    const tensors: TensorSpec[] = [table(`${p}embed_tokens.weight`, vocab, d)];
    for (let i = 0; i < numLayers; i++) {
      tensors.push(
        vec(L(i, "input_layernorm.weight"), d),
        mat(L(i, "self_attn.q_proj.weight"), qDim, d),
        mat(L(i, "self_attn.k_proj.weight"), kvDim, d),
        mat(L(i, "self_attn.v_proj.weight"), kvDim, d),
        mat(L(i, "self_attn.o_proj.weight"), d, qDim),
        vec(L(i, "post_attention_layernorm.weight"), d),
        mat(L(i, "mlp.gate_proj.weight"), inner, d),
        mat(L(i, "mlp.up_proj.weight"), inner, d),
        mat(L(i, "mlp.down_proj.weight"), d, inner),
      );
      if (attnBias) {
        tensors.push(
          vec(L(i, "self_attn.q_proj.bias"), qDim),
          vec(L(i, "self_attn.k_proj.bias"), kvDim),
          vec(L(i, "self_attn.v_proj.bias"), kvDim),
          vec(L(i, "self_attn.o_proj.bias"), d),
        );
      }
      if (mlpBias) {
        tensors.push(vec(L(i, "mlp.gate_proj.bias"), inner), vec(L(i, "mlp.up_proj.bias"), inner), vec(L(i, "mlp.down_proj.bias"), d));
      }
    }
    tensors.push(vec(`${p}norm.weight`, d));
    if (!tied) tensors.push(mat("lm_head.weight", vocab, d));

    return {
      config: {
        modelType: "llama",
        vocabSize: vocab,
        hiddenSize: d,
        numLayers,
        numHeads,
        numKvHeads,
        headDim,
        intermediateSize: inner,
        maxPositions: f.number("max_position_embeddings", 2048),
        causal: true,
        raw,
      },
      prefix: p,
      tensors,
      context: (batch) =>
        makeContext(batch, { causal: true, rope: { rotaryDim: headDim, headDim, base: theta, style: RopeStyle.rotateHalf, scaling } }),
      forward(w): ArchForward {
        const ab = (i: number, s: string) => (attnBias ? w.get(L(i, `self_attn.${s}.bias`)) : undefined);
        const mb = (i: number, s: string) => (mlpBias ? w.get(L(i, `mlp.${s}.bias`)) : undefined);
        return {
          embed: (ids) => w.rows(`${p}embed_tokens.weight`, ids),
          layer: (i, h, ctx) =>
            tf.tidy(() => {
              const a = rmsNorm(h, w.get(L(i, "input_layernorm.weight")), eps);
              const mixed = attention({
                q: linear(a, w.matrix(L(i, "self_attn.q_proj.weight")), ab(i, "q_proj")),
                k: linear(a, w.matrix(L(i, "self_attn.k_proj.weight")), ab(i, "k_proj")),
                v: linear(a, w.matrix(L(i, "self_attn.v_proj.weight")), ab(i, "v_proj")),
                batch: ctx.batch,
                length: ctx.length,
                numHeads,
                numKvHeads,
                headDim,
                bias: ctx.bias,
                rope: ctx.rope,
              });
              const h1 = tf.add(h, linear(mixed, w.matrix(L(i, "self_attn.o_proj.weight")), ab(i, "o_proj"))) as tf.Tensor2D;
              const m = rmsNorm(h1, w.get(L(i, "post_attention_layernorm.weight")), eps);
              const gate = act(linear(m, w.matrix(L(i, "mlp.gate_proj.weight")), mb(i, "gate_proj")));
              const up = linear(m, w.matrix(L(i, "mlp.up_proj.weight")), mb(i, "up_proj"));
              return tf.add(h1, linear(tf.mul(gate, up) as tf.Tensor2D, w.matrix(L(i, "mlp.down_proj.weight")), mb(i, "down_proj"))) as tf.Tensor2D;
            }),
          head: (rows) =>
            tf.tidy(() => {
              const n = rmsNorm(rows, w.get(`${p}norm.weight`), eps);
              return outputHead(n, w, tied ? `${p}embed_tokens.weight` : "lm_head.weight", tied);
            }),
        };
      },
    };
  },
};
