// llama2.c's run.c in float64: reads a legacy .bin and a tokenizer.bin itself (never through the converter) and generates greedily.
// Written from the file format and the published llama2.c architecture (Llama 2: RMSNorm, interleaved-pair RoPE,
// grouped-query attention, SwiGLU), step by step as run.c's forward(token, pos) with a key/value cache.
import { readFileSync } from "node:fs";

export interface Llama2cF64Config {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
}

interface Weights {
  tokEmb: Float64Array; // [vocab, dim]
  rmsAtt: Float64Array; // [layers, dim]
  wq: Float64Array; // [layers, dim, dim]
  wk: Float64Array; // [layers, kvDim, dim]
  wv: Float64Array; // [layers, kvDim, dim]
  wo: Float64Array; // [layers, dim, dim]
  rmsFfn: Float64Array; // [layers, dim]
  w1: Float64Array; // [layers, hidden, dim]
  w2: Float64Array; // [layers, dim, hidden]
  w3: Float64Array; // [layers, hidden, dim]
  rmsFinal: Float64Array; // [dim]
  wcls: Float64Array; // [vocab, dim]: the token embedding when the classifier is shared
}

const EPS = 1e-5;
const ROPE_BASE = 10000;

/** Legacy export: 7 int32 (vocab_size < 0 means a separate classifier), then float32 blocks in run.c's order. */
export function readLegacyLlama2cF64(file: string): { config: Llama2cF64Config; weights: Weights } {
  const buf = readFileSync(file);
  const h = Array.from({ length: 7 }, (_, i) => buf.readInt32LE(4 * i));
  const config: Llama2cF64Config = { dim: h[0]!, hiddenDim: h[1]!, nLayers: h[2]!, nHeads: h[3]!, nKvHeads: h[4]!, vocabSize: Math.abs(h[5]!), seqLen: h[6]! };
  const shared = h[5]! > 0;
  const { dim, hiddenDim: hid, nLayers: L, vocabSize: V, seqLen } = config;
  const headSize = dim / config.nHeads;
  const kvDim = (dim * config.nKvHeads) / config.nHeads;
  let at = 28;
  const take = (n: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++, at += 4) out[i] = buf.readFloatLE(at);
    return out;
  };
  const tokEmb = take(V * dim);
  const rmsAtt = take(L * dim);
  const wq = take(L * dim * dim);
  const wk = take(L * kvDim * dim);
  const wv = take(L * kvDim * dim);
  const wo = take(L * dim * dim);
  const rmsFfn = take(L * dim);
  const w1 = take(L * hid * dim);
  const w2 = take(L * dim * hid);
  const w3 = take(L * hid * dim);
  const rmsFinal = take(dim);
  at += seqLen * headSize * 4; // freq_cis_real and freq_cis_imag (seq_len · head_size/2 each): run.c ignores them
  const wcls = shared ? tokEmb : take(V * dim);
  if (at !== buf.length) throw new Error(`${file}: the header implies ${at} bytes, the file has ${buf.length}`);
  return { config, weights: { tokEmb, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, wcls } };
}

function rmsnorm(x: Float64Array, w: Float64Array, wAt: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const scale = 1 / Math.sqrt(ss / x.length + EPS);
  return x.map((v, i) => w[wAt + i]! * scale * v);
}

/** out[i] = Σ_j W[i, j] x[j] for the [rows, x.length] matrix starting at element `wAt`. */
function matmul(w: Float64Array, wAt: number, x: Float64Array, rows: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += w[wAt + i * n + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** run.c's model: forward(token, pos) must be called for pos = 0, 1, 2, … (it fills the key/value cache). */
export class Llama2cF64 {
  private readonly keys: Float64Array[][];
  private readonly values: Float64Array[][];

  constructor(readonly config: Llama2cF64Config, private readonly w: Weights) {
    this.keys = Array.from({ length: config.nLayers }, () => []);
    this.values = Array.from({ length: config.nLayers }, () => []);
  }

  static load(file: string): Llama2cF64 {
    const { config, weights } = readLegacyLlama2cF64(file);
    return new Llama2cF64(config, weights);
  }

  /** Logits for the next token after `token` at position `pos`. */
  forward(token: number, pos: number): Float64Array {
    const { dim, hiddenDim: hid, nLayers, nHeads, nKvHeads, vocabSize } = this.config;
    const w = this.w;
    const headSize = dim / nHeads;
    const kvDim = (dim * nKvHeads) / nHeads;
    const kvMul = nHeads / nKvHeads;
    if (pos !== this.keys[0]!.length) throw new Error(`forward at position ${pos}, expected ${this.keys[0]!.length}`);
    const x = w.tokEmb.slice(token * dim, (token + 1) * dim);
    for (let l = 0; l < nLayers; l++) {
      const xb = rmsnorm(x, w.rmsAtt, l * dim);
      const q = matmul(w.wq, l * dim * dim, xb, dim);
      const k = matmul(w.wk, l * kvDim * dim, xb, kvDim);
      const v = matmul(w.wv, l * kvDim * dim, xb, kvDim);
      // RoPE on interleaved pairs (i, i+1) of each head; k only within kv_dim
      for (let i = 0; i < dim; i += 2) {
        const freq = 1 / Math.pow(ROPE_BASE, (i % headSize) / headSize);
        const cos = Math.cos(pos * freq);
        const sin = Math.sin(pos * freq);
        for (const vec of i < kvDim ? [q, k] : [q]) {
          const v0 = vec[i]!;
          const v1 = vec[i + 1]!;
          vec[i] = v0 * cos - v1 * sin;
          vec[i + 1] = v0 * sin + v1 * cos;
        }
      }
      this.keys[l]!.push(k);
      this.values[l]!.push(v);
      const att = new Float64Array(dim);
      for (let hd = 0; hd < nHeads; hd++) {
        const kvAt = Math.floor(hd / kvMul) * headSize;
        const scores = new Float64Array(pos + 1);
        for (let t = 0; t <= pos; t++) {
          const kt = this.keys[l]![t]!;
          let s = 0;
          for (let i = 0; i < headSize; i++) s += q[hd * headSize + i]! * kt[kvAt + i]!;
          scores[t] = s / Math.sqrt(headSize);
        }
        const max = Math.max(...scores);
        let sum = 0;
        for (let t = 0; t <= pos; t++) sum += scores[t] = Math.exp(scores[t]! - max);
        for (let t = 0; t <= pos; t++) {
          const vt = this.values[l]![t]!;
          const a = scores[t]! / sum;
          for (let i = 0; i < headSize; i++) att[hd * headSize + i]! += a * vt[kvAt + i]!;
        }
      }
      const o = matmul(w.wo, l * dim * dim, att, dim);
      for (let i = 0; i < dim; i++) x[i]! += o[i]!;
      const xf = rmsnorm(x, w.rmsFfn, l * dim);
      const gate = matmul(w.w1, l * hid * dim, xf, hid);
      const up = matmul(w.w3, l * hid * dim, xf, hid);
      const hb = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!); // SwiGLU: silu(w1 x) · w3 x
      const down = matmul(w.w2, l * dim * hid, hb, dim);
      for (let i = 0; i < dim; i++) x[i]! += down[i]!;
    }
    return matmul(w.wcls, 0, rmsnorm(x, w.rmsFinal, 0), vocabSize);
  }
}

/** Index of the largest value, the first one on ties (run.c's sample_argmax). */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

export interface RunCGeneration {
  /** The sampled tokens, in order (the prompt excluded). */
  tokens: number[];
  /** The logits each sampled token was chosen from. */
  logits: Float64Array[];
}

/**
 * run.c's generate() at temperature 0: `steps` counts forward positions from the first prompt token (BOS), the
 * prompt is forced, and every later position samples argmax; a sampled BOS (1) ends the sequence. So, without a
 * BOS, it samples steps − (prompt length − 1) tokens: the one chosen at the last position is printed, never forwarded.
 */
export function generateLikeRunC(model: Llama2cF64, prompt: readonly number[], steps: number): RunCGeneration {
  const out: RunCGeneration = { tokens: [], logits: [] };
  let token = prompt[0]!;
  for (let pos = 0; pos < Math.min(steps, model.config.seqLen); pos++) {
    const logits = model.forward(token, pos);
    let next: number;
    if (pos < prompt.length - 1) next = prompt[pos + 1]!;
    else {
      next = argmax(logits);
      if (next === 1) break;
      out.tokens.push(next);
      out.logits.push(logits);
    }
    token = next;
  }
  return out;
}

/** A tokenizer.bin read on its own: int32 max_token_length, then per token f32 score, int32 length, bytes. */
export function readVocabF64(file: string): { pieces: Uint8Array[]; scores: number[] } {
  const buf = readFileSync(file);
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  for (let at = 4; at < buf.length; ) {
    const len = buf.readInt32LE(at + 4);
    scores.push(buf.readFloatLE(at));
    pieces.push(Uint8Array.from(buf.subarray(at + 8, at + 8 + len)));
    at += 8 + len;
  }
  return { pieces, scores };
}

/** run.c's decode(): a piece after BOS loses its leading space, "<0xNN>" pieces are raw bytes; the bytes are UTF-8. */
export function decodeLikeRunC(pieces: readonly Uint8Array[], prev: number, tokens: readonly number[]): string {
  const bytes: number[] = [];
  for (const id of tokens) {
    let piece = pieces[id]!;
    if (prev === 1 && piece[0] === 0x20) piece = piece.subarray(1);
    const text = String.fromCharCode(...piece);
    const raw = /^<0x([0-9A-F]{2})>$/.exec(text);
    if (raw) bytes.push(parseInt(raw[1]!, 16));
    else bytes.push(...piece);
    prev = id;
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}
