// Float64 reference forwards for each architecture, read from the stored (checkpoint) tensors.
import { act, add, attend, conv1d, layerNorm, linear, rmsNorm, rope, row, w, type RefBatch, type RefRopeScaling, type RefWeights } from "./ops.ts";

type Config = Record<string, any>;
type Seq = Float64Array[];

/** Runs `perSequence` on each row of the batch and returns logits for all B·T flat positions. */
function eachSequence(batch: RefBatch, perSequence: (ids: number[], mask: number[]) => Seq): Seq {
  const out: Seq = [];
  for (let b = 0; b < batch.batch; b++) {
    const ids = Array.from(batch.ids.subarray(b * batch.length, (b + 1) * batch.length));
    const mask = Array.from(batch.mask.subarray(b * batch.length, (b + 1) * batch.length));
    out.push(...perSequence(ids, mask));
  }
  return out;
}

function split(x: Float64Array, parts: number): Float64Array[] {
  const n = x.length / parts;
  return Array.from({ length: parts }, (_, i) => x.slice(i * n, (i + 1) * n));
}

/** Applies RoPE to every head of every token vector (position = token index). */
function ropeAll(xs: Seq, heads: number, hd: number, rd: number, base: number, interleaved: boolean, scaling?: RefRopeScaling): void {
  xs.forEach((x, t) => {
    for (let h = 0; h < heads; h++) rope(x, h * hd, t, rd, base, interleaved, scaling);
  });
}

export function gpt2Ref(W: RefWeights, c: Config, batch: RefBatch): Seq {
  const H = c.n_head as number;
  const hd = c.n_embd / H;
  const eps = c.layer_norm_epsilon as number;
  const p = "transformer.";
  return eachSequence(batch, (ids, mask) => {
    let h: Seq = ids.map((id, t) => add(row(w(W, p + "wte.weight"), id), row(w(W, p + "wpe.weight"), t)));
    for (let i = 0; i < c.n_layer; i++) {
      const L = (s: string) => w(W, `${p}h.${i}.${s}`);
      const qkv = h.map((x) => split(conv1d(L("attn.c_attn.weight"), layerNorm(x, L("ln_1.weight"), L("ln_1.bias"), eps), L("attn.c_attn.bias")), 3));
      const mixed = attend(qkv.map((z) => z[0]!), qkv.map((z) => z[1]!), qkv.map((z) => z[2]!), mask, H, H, hd, true);
      h = h.map((x, t) => add(x, conv1d(L("attn.c_proj.weight"), mixed[t]!, L("attn.c_proj.bias"))));
      h = h.map((x) => {
        const up = conv1d(L("mlp.c_fc.weight"), layerNorm(x, L("ln_2.weight"), L("ln_2.bias"), eps), L("mlp.c_fc.bias")).map(act.gelu_new);
        return add(x, conv1d(L("mlp.c_proj.weight"), up, L("mlp.c_proj.bias")));
      });
    }
    // tied head: logits = wte · ln_f(h)
    return h.map((x) => linear(w(W, p + "wte.weight"), layerNorm(x, w(W, p + "ln_f.weight"), w(W, p + "ln_f.bias"), eps)));
  });
}

export function gptjRef(W: RefWeights, c: Config, batch: RefBatch): Seq {
  const H = c.n_head as number;
  const hd = c.n_embd / H;
  const eps = c.layer_norm_epsilon as number;
  const p = "transformer.";
  return eachSequence(batch, (ids, mask) => {
    let h: Seq = ids.map((id) => row(w(W, p + "wte.weight"), id));
    for (let i = 0; i < c.n_layer; i++) {
      const L = (s: string) => w(W, `${p}h.${i}.${s}`);
      const a = h.map((x) => layerNorm(x, L("ln_1.weight"), L("ln_1.bias"), eps));
      const q = a.map((x) => linear(L("attn.q_proj.weight"), x));
      const k = a.map((x) => linear(L("attn.k_proj.weight"), x));
      const v = a.map((x) => linear(L("attn.v_proj.weight"), x));
      ropeAll(q, H, hd, c.rotary_dim, 10000, true);
      ropeAll(k, H, hd, c.rotary_dim, 10000, true);
      const mixed = attend(q, k, v, mask, H, H, hd, true);
      h = h.map((x, t) => {
        const attn = linear(L("attn.out_proj.weight"), mixed[t]!);
        const up = linear(L("mlp.fc_in.weight"), a[t]!, L("mlp.fc_in.bias")).map(act.gelu_new);
        return add(x, attn, linear(L("mlp.fc_out.weight"), up, L("mlp.fc_out.bias")));
      });
    }
    return h.map((x) => linear(w(W, "lm_head.weight"), layerNorm(x, w(W, p + "ln_f.weight"), w(W, p + "ln_f.bias"), eps), w(W, "lm_head.bias")));
  });
}

export function neoxRef(W: RefWeights, c: Config, batch: RefBatch): Seq {
  const H = c.num_attention_heads as number;
  const hd = c.hidden_size / H;
  const rd = Math.floor(hd * c.rotary_pct);
  const eps = c.layer_norm_eps as number;
  const p = "gpt_neox.";
  return eachSequence(batch, (ids, mask) => {
    let h: Seq = ids.map((id) => row(w(W, p + "embed_in.weight"), id));
    for (let i = 0; i < c.num_hidden_layers; i++) {
      const L = (s: string) => w(W, `${p}layers.${i}.${s}`);
      const attn = (xs: Seq): Seq => {
        const q: Seq = [], k: Seq = [], v: Seq = [];
        for (const x of xs) {
          const qkv = linear(L("attention.query_key_value.weight"), layerNorm(x, L("input_layernorm.weight"), L("input_layernorm.bias"), eps), L("attention.query_key_value.bias"));
          // per head: [q(hd) | k(hd) | v(hd)]
          const [qq, kk, vv] = [0, 1, 2].map((j) => {
            const out = new Float64Array(H * hd);
            for (let hh = 0; hh < H; hh++) for (let e = 0; e < hd; e++) out[hh * hd + e] = qkv[hh * 3 * hd + j * hd + e]!;
            return out;
          });
          q.push(qq!); k.push(kk!); v.push(vv!);
        }
        ropeAll(q, H, hd, rd, c.rotary_emb_base, false);
        ropeAll(k, H, hd, rd, c.rotary_emb_base, false);
        return attend(q, k, v, mask, H, H, hd, true).map((m) => linear(L("attention.dense.weight"), m, L("attention.dense.bias")));
      };
      const mlp = (x: Float64Array) => {
        const up = linear(L("mlp.dense_h_to_4h.weight"), layerNorm(x, L("post_attention_layernorm.weight"), L("post_attention_layernorm.bias"), eps), L("mlp.dense_h_to_4h.bias")).map(act.gelu);
        return linear(L("mlp.dense_4h_to_h.weight"), up, L("mlp.dense_4h_to_h.bias"));
      };
      const a = attn(h);
      if (c.use_parallel_residual) h = h.map((x, t) => add(x, a[t]!, mlp(x)));
      else h = h.map((x, t) => add(x, a[t]!)).map((x) => add(x, mlp(x)));
    }
    return h.map((x) => linear(w(W, "embed_out.weight"), layerNorm(x, w(W, p + "final_layer_norm.weight"), w(W, p + "final_layer_norm.bias"), eps)));
  });
}

export function llamaRef(W: RefWeights, c: Config, batch: RefBatch): Seq {
  const H = c.num_attention_heads as number;
  const KV = c.num_key_value_heads as number;
  const hd = c.hidden_size / H;
  const eps = c.rms_norm_eps as number;
  return eachSequence(batch, (ids, mask) => {
    let h: Seq = ids.map((id) => row(w(W, "model.embed_tokens.weight"), id));
    for (let i = 0; i < c.num_hidden_layers; i++) {
      const L = (s: string) => w(W, `model.layers.${i}.${s}`);
      const a = h.map((x) => rmsNorm(x, L("input_layernorm.weight"), eps));
      const q = a.map((x) => linear(L("self_attn.q_proj.weight"), x));
      const k = a.map((x) => linear(L("self_attn.k_proj.weight"), x));
      const v = a.map((x) => linear(L("self_attn.v_proj.weight"), x));
      ropeAll(q, H, hd, hd, c.rope_theta, false, c.rope_scaling);
      ropeAll(k, KV, hd, hd, c.rope_theta, false, c.rope_scaling);
      const mixed = attend(q, k, v, mask, H, KV, hd, true);
      h = h.map((x, t) => add(x, linear(L("self_attn.o_proj.weight"), mixed[t]!)));
      h = h.map((x) => {
        const m = rmsNorm(x, L("post_attention_layernorm.weight"), eps);
        const gate = linear(L("mlp.gate_proj.weight"), m).map(act.silu);
        const up = linear(L("mlp.up_proj.weight"), m);
        return add(x, linear(L("mlp.down_proj.weight"), gate.map((g, j) => g * up[j]!)));
      });
    }
    const head = c.tie_word_embeddings ? w(W, "model.embed_tokens.weight") : w(W, "lm_head.weight");
    return h.map((x) => linear(head, rmsNorm(x, w(W, "model.norm.weight"), eps)));
  });
}

export function encoderRef(W: RefWeights, c: Config, batch: RefBatch): Seq {
  const roberta = c.model_type === "roberta";
  const p = roberta ? "roberta." : "bert.";
  const H = c.num_attention_heads as number;
  const hd = c.hidden_size / H;
  const eps = c.layer_norm_eps as number;
  const ln = (x: Float64Array, name: string) => layerNorm(x, w(W, `${name}.weight`), w(W, `${name}.bias`), eps);
  return eachSequence(batch, (ids, mask) => {
    // RoBERTa: real tokens are numbered from pad_token_id + 1, padding gets pad_token_id.
    let seen = 0;
    const pos = mask.map((m, t) => (roberta ? (m ? c.pad_token_id + 1 + seen++ : c.pad_token_id) : t));
    let h: Seq = ids.map((id, t) =>
      ln(add(row(w(W, p + "embeddings.word_embeddings.weight"), id), row(w(W, p + "embeddings.position_embeddings.weight"), pos[t]!), row(w(W, p + "embeddings.token_type_embeddings.weight"), 0)), p + "embeddings.LayerNorm"),
    );
    for (let i = 0; i < c.num_hidden_layers; i++) {
      const P = `${p}encoder.layer.${i}.`;
      const L = (s: string) => w(W, P + s);
      const proj = (m: string) => h.map((x) => linear(L(`attention.self.${m}.weight`), x, L(`attention.self.${m}.bias`)));
      const mixed = attend(proj("query"), proj("key"), proj("value"), mask, H, H, hd, false);
      h = h.map((x, t) => ln(add(x, linear(L("attention.output.dense.weight"), mixed[t]!, L("attention.output.dense.bias"))), P + "attention.output.LayerNorm"));
      h = h.map((x) => {
        const up = linear(L("intermediate.dense.weight"), x, L("intermediate.dense.bias")).map(act.gelu);
        return ln(add(x, linear(L("output.dense.weight"), up, L("output.dense.bias"))), P + "output.LayerNorm");
      });
    }
    const dense = roberta ? "lm_head.dense" : "cls.predictions.transform.dense";
    const norm = roberta ? "lm_head.layer_norm" : "cls.predictions.transform.LayerNorm";
    const bias = roberta ? "lm_head.bias" : "cls.predictions.bias";
    return h.map((x) => {
      const t = ln(linear(w(W, `${dense}.weight`), x, w(W, `${dense}.bias`)).map(act.gelu), norm);
      return linear(w(W, p + "embeddings.word_embeddings.weight"), t, w(W, bias));
    });
  });
}

export function referenceFor(modelType: string): (W: RefWeights, c: Config, batch: RefBatch) => Seq {
  switch (modelType) {
    case "gpt2": return gpt2Ref;
    case "gptj": return gptjRef;
    case "gpt_neox": return neoxRef;
    case "llama": return llamaRef;
    case "bert":
    case "roberta": return encoderRef;
    default: throw new Error(`no reference for ${modelType}`);
  }
}
