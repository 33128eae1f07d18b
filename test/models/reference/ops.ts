// Float64 building blocks for the reference forward: plain loops over arrays, no tfjs, written from the papers/HF code.

export interface RefTensor {
  shape: number[];
  data: Float64Array;
}
export type RefWeights = Map<string, RefTensor>;

export interface RefBatch {
  ids: Int32Array;
  mask: Int32Array;
  batch: number;
  length: number;
}

export function w(weights: RefWeights, name: string): RefTensor {
  const t = weights.get(name);
  if (t == null) throw new Error(`reference: no tensor ${name}`);
  return t;
}

/** y = W x (+ b) for nn.Linear storage W [out, in]. */
export function linear(W: RefTensor, x: Float64Array, b?: RefTensor): Float64Array {
  const [out, inp] = W.shape as [number, number];
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b.data[o]! : 0;
    for (let i = 0; i < inp; i++) s += W.data[o * inp + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

/** y = x W (+ b) for GPT-2 Conv1D storage W [in, out]. */
export function conv1d(W: RefTensor, x: Float64Array, b?: RefTensor): Float64Array {
  const [inp, out] = W.shape as [number, number];
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b.data[o]! : 0;
    for (let i = 0; i < inp; i++) s += W.data[i * out + o]! * x[i]!;
    y[o] = s;
  }
  return y;
}

export function layerNorm(x: Float64Array, g: RefTensor, b: RefTensor, eps: number): Float64Array {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  variance /= x.length;
  const inv = 1 / Math.sqrt(variance + eps);
  return x.map((v, i) => (v - mean) * inv * g.data[i]! + b.data[i]!);
}

export function rmsNorm(x: Float64Array, g: RefTensor, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const inv = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * inv * g.data[i]!);
}

/** erf in float64: Maclaurin series for |x| < 3, the erfc continued fraction beyond. */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a < 3) {
    // Maclaurin series: converges fast enough in float64 for |x| < 3.
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (sign * 2 * sum) / Math.sqrt(Math.PI);
  }
  // erfc continued fraction (Lentz) for |x| ≥ 3.
  let f = a;
  let c = a;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = a + an * d;
    d = 1 / d;
    c = a + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / (f * Math.sqrt(Math.PI));
  return sign * (1 - erfc);
}

export const act = {
  gelu: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_new: (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  silu: (x: number) => x / (1 + Math.exp(-x)),
};

/** config.json's rope_scaling as Hugging Face reads it (null or absent: none). */
export type RefRopeScaling = Record<string, any> | null | undefined;

/**
 * Llama 3's adjusted inverse frequencies, restated from Hugging Face's `_compute_llama3_parameters` in its vectorised
 * form: divide the long wavelengths by `factor`, then blend the band between the two cut-offs.
 */
export function llama3InvFreq(invFreq: readonly number[], s: Record<string, any>): number[] {
  const old = s["original_max_position_embeddings"] as number;
  const low = s["low_freq_factor"] as number;
  const high = s["high_freq_factor"] as number;
  return invFreq.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    const longWave = wavelen > old / low;
    const shortWave = wavelen < old / high;
    const divided = longWave ? f / s["factor"] : f;
    const smooth = (old / wavelen - low) / (high - low);
    return !longWave && !shortWave ? ((1 - smooth) * divided) / s["factor"] + smooth * divided : divided;
  });
}

/** Rotates features [0, rotaryDim) of one head vector at position p, in place, with `scaling` applied (linear or llama3). */
export function rope(vec: Float64Array, offset: number, p: number, rotaryDim: number, base: number, interleaved: boolean, scaling?: RefRopeScaling): void {
  const half = rotaryDim / 2;
  const kind = scaling?.["rope_type"] ?? scaling?.["type"];
  const plain = Array.from({ length: half }, (_, i) => 1 / Math.pow(base, (2 * i) / rotaryDim));
  const invFreq = kind === "llama3" ? llama3InvFreq(plain, scaling!) : plain;
  const position = kind === "linear" ? p / scaling!["factor"] : p;
  for (let i = 0; i < half; i++) {
    const angle = position * invFreq[i]!;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const a = interleaved ? offset + 2 * i : offset + i;
    const b = interleaved ? offset + 2 * i + 1 : offset + i + half;
    const x1 = vec[a]!;
    const x2 = vec[b]!;
    vec[a] = x1 * c - x2 * s;
    vec[b] = x2 * c + x1 * s;
  }
}

/**
 * Attention for one sequence: q/k/v are per-token vectors ([heads·hd], [kvHeads·hd]); query t attends
 * keys s with mask[s] = 1 (and s ≤ t when causal). Query head h reads kv head ⌊h / (heads / kvHeads)⌋.
 */
export function attend(
  q: Float64Array[],
  k: Float64Array[],
  v: Float64Array[],
  mask: ArrayLike<number>,
  heads: number,
  kvHeads: number,
  hd: number,
  causal: boolean,
): Float64Array[] {
  const T = q.length;
  const out = q.map(() => new Float64Array(heads * hd));
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < heads; h++) {
      const kh = Math.floor(h / (heads / kvHeads));
      const scores: number[] = [];
      const keys: number[] = [];
      for (let s = 0; s < T; s++) {
        if (mask[s] === 0 || (causal && s > t)) continue;
        let dot = 0;
        for (let j = 0; j < hd; j++) dot += q[t]![h * hd + j]! * k[s]![kh * hd + j]!;
        scores.push(dot / Math.sqrt(hd));
        keys.push(s);
      }
      const max = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - max));
      const z = e.reduce((a, b) => a + b, 0);
      keys.forEach((s, idx) => {
        for (let j = 0; j < hd; j++) out[t]![h * hd + j]! += (e[idx]! / z) * v[s]![kh * hd + j]!;
      });
    }
  }
  return out;
}

export function add(...xs: Float64Array[]): Float64Array {
  return xs[0]!.map((_, i) => xs.reduce((s, x) => s + x[i]!, 0));
}

export function row(t: RefTensor, r: number): Float64Array {
  const n = t.shape[1]!;
  return t.data.slice(r * n, (r + 1) * n);
}

/** Mean cross-entropy of logits rows against targets (the loss the gradient tests differentiate). */
export function crossEntropy(logits: Float64Array[], targets: readonly number[]): number {
  let total = 0;
  logits.forEach((l, i) => {
    const max = Math.max(...l);
    let z = 0;
    for (const v of l) z += Math.exp(v - max);
    total += -(l[targets[i]!]! - max - Math.log(z));
  });
  return total / logits.length;
}
