// A plain float64 Llama forward (loops, no tfjs) for the demo's checks: independent of the engine under test.

export interface RefConfig {
  hidden: number;
  heads: number;
  headDim: number;
  ffn: number;
  layers: number;
  eps: number;
  theta: number;
}

export type Weights = Map<string, { shape: number[]; data: ArrayLike<number> }>;

function rmsnorm(x: Float64Array, w: ArrayLike<number>, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * r * w[i]!);
}

/** y = W x with W stored [out, in] row-major. */
function matvec(w: { shape: number[]; data: ArrayLike<number> }, x: Float64Array): Float64Array {
  const [rows, cols] = w.shape as [number, number];
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w.data[r * cols + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}

function rope(v: Float64Array, heads: number, headDim: number, pos: number, theta: number): void {
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      const angle = pos * Math.pow(theta, (-2 * i) / headDim);
      const a = v[h * headDim + i]!;
      const b = v[h * headDim + i + half]!;
      v[h * headDim + i] = a * Math.cos(angle) - b * Math.sin(angle);
      v[h * headDim + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  }
}

const silu = (x: number) => x / (1 + Math.exp(-x));

/** Logits at the last position of `ids`. `override` replaces named weights (for edited matrices). */
export function lastLogits(cfg: RefConfig, weights: Weights, ids: number[]): Float64Array {
  const W = (n: string) => {
    const w = weights.get(n);
    if (!w) throw new Error(`reference: missing ${n}`);
    return w;
  };
  const emb = W("model.embed_tokens.weight");
  let xs = ids.map((id) => Float64Array.from({ length: cfg.hidden }, (_, c) => emb.data[id * cfg.hidden + c]!));
  for (let l = 0; l < cfg.layers; l++) {
    const p = `model.layers.${l}`;
    const normed = xs.map((x) => rmsnorm(x, W(`${p}.input_layernorm.weight`).data, cfg.eps));
    const qs = normed.map((x, t) => { const q = matvec(W(`${p}.self_attn.q_proj.weight`), x); rope(q, cfg.heads, cfg.headDim, t, cfg.theta); return q; });
    const ks = normed.map((x, t) => { const k = matvec(W(`${p}.self_attn.k_proj.weight`), x); rope(k, cfg.heads, cfg.headDim, t, cfg.theta); return k; });
    const vs = normed.map((x) => matvec(W(`${p}.self_attn.v_proj.weight`), x));
    xs = xs.map((x, t) => {
      const att = new Float64Array(cfg.hidden);
      for (let h = 0; h < cfg.heads; h++) {
        const scores: number[] = [];
        for (let s = 0; s <= t; s++) {
          let d = 0;
          for (let i = 0; i < cfg.headDim; i++) d += qs[t]![h * cfg.headDim + i]! * ks[s]![h * cfg.headDim + i]!;
          scores.push(d / Math.sqrt(cfg.headDim));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let i = 0; i < cfg.headDim; i++) att[h * cfg.headDim + i] += (e[s]! / z) * vs[s]![h * cfg.headDim + i]!;
      }
      const o = matvec(W(`${p}.self_attn.o_proj.weight`), att);
      return x.map((v, i) => v + o[i]!);
    });
    xs = xs.map((x) => {
      const n = rmsnorm(x, W(`${p}.post_attention_layernorm.weight`).data, cfg.eps);
      const g = matvec(W(`${p}.mlp.gate_proj.weight`), n);
      const u = matvec(W(`${p}.mlp.up_proj.weight`), n);
      const d = matvec(W(`${p}.mlp.down_proj.weight`), g.map((v, i) => silu(v) * u[i]!));
      return x.map((v, i) => v + d[i]!);
    });
  }
  const last = rmsnorm(xs[xs.length - 1]!, W("model.norm.weight").data, cfg.eps);
  return matvec(W("lm_head.weight"), last);
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
