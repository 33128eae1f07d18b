// Proof of the q/k row permutation: one attention layer with llama2.c's interleaved RoPE on the original weights equals
// one with Hugging Face's rotate_half RoPE on the converted weights (plain float64 loops, grouped-query attention).
import { describe, expect, it } from "vitest";
import { permuteForRotateHalf } from "../../agent/checkpoint/llama2c/permute.ts";
import { seededFloats } from "./llama2c-fixtures.ts";

interface Attn {
  dim: number;
  nHeads: number;
  nKvHeads: number;
  wq: Float32Array;
  wk: Float32Array;
  wv: Float32Array;
  wo: Float32Array;
}

function matvec(w: Float32Array, x: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}

/** llama2.c run.c: rotate pairs (2i, 2i+1) of every head by pos · 10000^(-2i/head_size). */
function ropeInterleaved(v: Float64Array, headSize: number, pos: number): void {
  for (let i = 0; i < v.length; i += 2) {
    const freq = 1 / 10000 ** ((i % headSize) / headSize);
    const [c, s] = [Math.cos(pos * freq), Math.sin(pos * freq)];
    const [a, b] = [v[i]!, v[i + 1]!];
    v[i] = a * c - b * s;
    v[i + 1] = a * s + b * c;
  }
}

/** Hugging Face modeling_llama: q·cos + rotate_half(q)·sin with cos/sin = cat(freqs, freqs), per head. */
function ropeRotateHalf(v: Float64Array, headSize: number, pos: number): void {
  const half = headSize / 2;
  for (let h = 0; h < v.length; h += headSize) {
    const x = v.slice(h, h + headSize);
    for (let d = 0; d < headSize; d++) {
      const freq = 1 / 10000 ** ((2 * (d % half)) / headSize);
      const rotated = d < half ? -x[d + half]! : x[d - half]!;
      v[h + d] = x[d]! * Math.cos(pos * freq) + rotated * Math.sin(pos * freq);
    }
  }
}

/** Causal self-attention over a sequence, returning Wo · attention output per position. */
function attention(a: Attn, xs: Float64Array[], rope: (v: Float64Array, hs: number, pos: number) => void): Float64Array[] {
  const hs = a.dim / a.nHeads;
  const kvDim = hs * a.nKvHeads;
  const keys: Float64Array[] = [];
  const values: Float64Array[] = [];
  return xs.map((x, pos) => {
    const q = matvec(a.wq, x, a.dim, a.dim);
    const k = matvec(a.wk, x, kvDim, a.dim);
    rope(q, hs, pos);
    rope(k, hs, pos);
    keys.push(k);
    values.push(matvec(a.wv, x, kvDim, a.dim));
    const out = new Float64Array(a.dim);
    for (let h = 0; h < a.nHeads; h++) {
      const kvh = Math.floor(h / (a.nHeads / a.nKvHeads));
      const scores = keys.map((kt) => {
        let s = 0;
        for (let d = 0; d < hs; d++) s += q[h * hs + d]! * kt[kvh * hs + d]!;
        return s / Math.sqrt(hs);
      });
      const max = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - max));
      const z = e.reduce((p, c) => p + c, 0);
      for (let t = 0; t <= pos; t++) for (let d = 0; d < hs; d++) out[h * hs + d] += (e[t]! / z) * values[t]![kvh * hs + d]!;
    }
    return matvec(a.wo, out, a.dim, a.dim);
  });
}

function maxAbsDiff(a: Float64Array[], b: Float64Array[]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

describe("llama2.c → Hugging Face RoPE permutation", () => {
  for (const [nHeads, nKvHeads, headSize] of [
    [4, 4, 8],
    [4, 2, 6],
    [6, 1, 4],
  ] as const) {
    it(`interleaved RoPE on original weights equals rotate_half on permuted weights (heads ${nHeads}, kv heads ${nKvHeads}, head size ${headSize})`, () => {
      const dim = nHeads * headSize;
      const kvDim = nKvHeads * headSize;
      const a: Attn = {
        dim, nHeads, nKvHeads,
        wq: seededFloats(dim * dim, 1), wk: seededFloats(kvDim * dim, 2), wv: seededFloats(kvDim * dim, 3), wo: seededFloats(dim * dim, 4),
      };
      const xs = Array.from({ length: 7 }, (_, t) => Float64Array.from(seededFloats(dim, 10 + t)));
      const reference = attention(a, xs, ropeInterleaved);
      const converted = { ...a, wq: permuteForRotateHalf(a.wq, nHeads, dim), wk: permuteForRotateHalf(a.wk, nKvHeads, dim) };
      expect(maxAbsDiff(reference, attention(converted, xs, ropeRotateHalf))).toBeLessThan(1e-12);
      // and the permutation is needed: rotate_half on the unpermuted weights is a different model
      expect(maxAbsDiff(reference, attention(a, xs, ropeRotateHalf))).toBeGreaterThan(1e-3);
    });
  }

  it("matches Hugging Face's view(n_heads, d/2, 2, cols).transpose(1, 2) row order", () => {
    // 2 heads of size 4, 1 column: rows 0..7 → per head [0, 2, 1, 3]
    const w = Float32Array.from({ length: 8 }, (_, i) => i);
    expect(Array.from(permuteForRotateHalf(w, 2, 1))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });
});
