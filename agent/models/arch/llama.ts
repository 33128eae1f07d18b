// Llama family: RMSNorm, SwiGLU MLP, rotate-half RoPE with rope_theta, grouped-query attention.
import * as tf from "@tensorflow/tfjs";
import { activationByName } from "../blocks/activations.ts";
import { attention } from "../blocks/attention.ts";
import { makeContext } from "../blocks/context.ts";
import { linear, outputHead } from "../blocks/linear.ts";
import { rmsNorm } from "../blocks/norm.ts";
import { RopeStyle } from "../blocks/rope.ts";
import type { RopeScaling } from "../blocks/rope_scaling.ts";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { ConfigFields, detectPrefix } from "./config_fields.ts";
import { mat, table, vec } from "./tensor_specs.ts";
import { tiedHead } from "./tied_head.ts";
import type { ArchDefinition, ArchForward, TensorSpec } from "./types.ts";

/** Linear position interpolation is the only rope_scaling implemented; others are refused. */
function ropeScaling(raw: Record<string, unknown>, source: string): RopeScaling | undefined {
  const scaling = raw["rope_scaling"] as { type?: string; rope_type?: string; factor?: number } | null | undefined;
  if (scaling == null) return undefined;
  const type = scaling.rope_type ?? scaling.type;
  if (type === "linear" && typeof scaling.factor === "number") return { kind: "linear", factor: scaling.factor };
  if (type === "default") return undefined;
  throw new C2iError(
    ErrorCode.UNSUPPORTED_ARCH,
    `${source}: rope_scaling ${JSON.stringify(scaling)} is not supported; supported: null, {"type":"linear","factor":f}`,
  );
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
          embed: (ids) => tf.gather(w.get(`${p}embed_tokens.weight`), ids) as tf.Tensor2D,
          layer: (i, h, ctx) =>
            tf.tidy(() => {
              const a = rmsNorm(h, w.get(L(i, "input_layernorm.weight")), eps);
              const mixed = attention({
                q: linear(a, w.get(L(i, "self_attn.q_proj.weight")), ab(i, "q_proj")),
                k: linear(a, w.get(L(i, "self_attn.k_proj.weight")), ab(i, "k_proj")),
                v: linear(a, w.get(L(i, "self_attn.v_proj.weight")), ab(i, "v_proj")),
                batch: ctx.batch,
                length: ctx.length,
                numHeads,
                numKvHeads,
                headDim,
                bias: ctx.bias,
                rope: ctx.rope,
              });
              const h1 = tf.add(h, linear(mixed, w.get(L(i, "self_attn.o_proj.weight")), ab(i, "o_proj"))) as tf.Tensor2D;
              const m = rmsNorm(h1, w.get(L(i, "post_attention_layernorm.weight")), eps);
              const gate = act(linear(m, w.get(L(i, "mlp.gate_proj.weight")), mb(i, "gate_proj")));
              const up = linear(m, w.get(L(i, "mlp.up_proj.weight")), mb(i, "up_proj"));
              return tf.add(h1, linear(tf.mul(gate, up) as tf.Tensor2D, w.get(L(i, "mlp.down_proj.weight")), mb(i, "down_proj"))) as tf.Tensor2D;
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
