// Synthetic llama2.c files for tests: a random-weight model export (legacy or version 1) and a BPE-trained tokenizer.bin.
import { writeFileSync } from "node:fs";

export interface TinyLlama2c {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  shared: boolean;
}

/** Deterministic float32-representable values in [-1, 1). */
export function seededFloats(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The model's blocks, keyed like llama2.c's TransformerWeights, each [layers ×] rows × cols row-major. */
export function tinyWeights(c: TinyLlama2c): Record<string, Float32Array> {
  const kv = (c.dim * c.nKvHeads) / c.nHeads;
  const hs = c.dim / c.nHeads;
  const L = c.nLayers;
  const sizes: Record<string, number> = {
    embed: c.vocabSize * c.dim, rmsAtt: L * c.dim, wq: L * c.dim * c.dim, wk: L * kv * c.dim, wv: L * kv * c.dim,
    wo: L * c.dim * c.dim, rmsFfn: L * c.dim, w1: L * c.hiddenDim * c.dim, w2: L * c.dim * c.hiddenDim,
    w3: L * c.hiddenDim * c.dim, rmsFinal: c.dim, freqReal: (c.seqLen * hs) / 2, freqImag: (c.seqLen * hs) / 2, wcls: c.vocabSize * c.dim,
  };
  const out: Record<string, Float32Array> = {};
  Object.entries(sizes).forEach(([k, n], i) => (out[k] = seededFloats(n, 1000 + i)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const bytesOf = (f: Float32Array) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength);

/** Bytes of a llama2.c export of `w` in the legacy (version 0) or version-1 layout. */
export function llama2cBytes(c: TinyLlama2c, w: Record<string, Float32Array>, version: 0 | 1 = 0): Uint8Array {
  const ints = [c.dim, c.hiddenDim, c.nLayers, c.nHeads, c.nKvHeads, c.vocabSize, c.seqLen];
  if (version === 0) {
    ints[5] = c.shared ? c.vocabSize : -c.vocabSize;
    const order = ["embed", "rmsAtt", "wq", "wk", "wv", "wo", "rmsFfn", "w1", "w2", "w3", "rmsFinal", "freqReal", "freqImag", ...(c.shared ? [] : ["wcls"])];
    return concat([new Uint8Array(Int32Array.from(ints).buffer), ...order.map((k) => bytesOf(w[k]!))]);
  }
  const header = new Uint8Array(256);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x616b3432, true);
  view.setInt32(4, 1, true);
  ints.forEach((v, i) => view.setInt32(8 + 4 * i, v, true));
  header[36] = c.shared ? 1 : 0;
  const order = ["rmsAtt", "rmsFfn", "rmsFinal", "embed", "wq", "wk", "wv", "wo", "w1", "w2", "w3", ...(c.shared ? [] : ["wcls"])];
  return concat([header, ...order.map((k) => bytesOf(w[k]!))]);
}

export function writeTinyLlama2c(file: string, c: TinyLlama2c, version: 0 | 1 = 0): Record<string, Float32Array> {
  const w = tinyWeights(c);
  writeFileSync(file, llama2cBytes(c, w, version));
  return w;
}

export interface TokenizerBin {
  pieces: Uint8Array[];
  scores: number[];
}

/**
 * A sentencepiece-like BPE vocabulary trained on `corpus`: <unk>, "\n<s>\n", "\n</s>\n", the 256 byte
 * tokens, then `merges` learned merges (score −rank; words carry their leading space), then the
 * corpus's single characters (lowest scores), as Llama's tokenizer lays them out.
 */
export function trainTokenizer(corpus: string, merges: number, extra = 0): TokenizerBin {
  const enc = new TextEncoder();
  const words = corpus.split(/(?= )/).map((w) => Array.from(w));
  const chars = [...new Set(Array.from(corpus))].sort();
  const learned: string[] = [];
  for (let m = 0; m < merges; m++) {
    const counts = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) counts.set(w[i]! + "\u0000" + w[i + 1]!, (counts.get(w[i]! + "\u0000" + w[i + 1]!) ?? 0) + 1);
    let best = "";
    let bestCount = 0;
    for (const [k, v] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (v > bestCount) [best, bestCount] = [k, v];
    if (bestCount < 2) break;
    const [a, b] = best.split("\u0000") as [string, string];
    if (learned.includes(a + b) || chars.includes(a + b)) break;
    learned.push(a + b);
    for (const w of words) {
      for (let i = 0; i + 1 < w.length; i++) {
        if (w[i] === a && w[i + 1] === b) w.splice(i, 2, a + b);
      }
    }
  }
  // extra pieces: random corpus substrings that compete with the learned merges (distinct scores, shuffled in)
  const rand = seededFloats(4 * extra + 1, 99);
  const cps = Array.from(corpus);
  for (let i = 0; i < extra; i++) {
    const at = Math.floor(((rand[2 * i]! + 1) / 2) * (cps.length - 4));
    const len = 2 + Math.floor(((rand[2 * i + 1]! + 1) / 2) * 4);
    const piece = cps.slice(at, at + len).join("");
    if (!learned.includes(piece) && !chars.includes(piece) && Array.from(piece).length === len) learned.splice(Math.floor(((rand[2 * extra + i]! + 1) / 2) * learned.length), 0, piece);
  }
  const pieces: string[] = ["<unk>", "\n<s>\n", "\n</s>\n"];
  const scores: number[] = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    pieces.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    scores.push(0);
  }
  learned.forEach((p, i) => {
    pieces.push(p);
    scores.push(-i || 0);
  });
  chars.forEach((ch, i) => {
    pieces.push(ch);
    scores.push(-(learned.length + i));
  });
  return { pieces: pieces.map((p) => enc.encode(p)), scores };
}

export function tokenizerBinBytes(t: TokenizerBin): Uint8Array {
  const max = Math.max(...t.pieces.map((p) => p.length));
  const parts: Uint8Array[] = [new Uint8Array(Int32Array.of(max).buffer)];
  t.pieces.forEach((p, i) => {
    const head = new DataView(new ArrayBuffer(8));
    head.setFloat32(0, t.scores[i]!, true);
    head.setInt32(4, p.length, true);
    parts.push(new Uint8Array(head.buffer), p);
  });
  return concat(parts);
}

/** A plain TypeScript port of llama2.c's `encode()` (run.c): dummy prefix, code points with byte fallback, best-score merges. */
export function llama2cEncode(t: TokenizerBin, text: string, bos = false): number[] {
  const key = (bytes: ArrayLike<number>) => String.fromCharCode(...Array.from(bytes));
  const lookup = new Map<string, number>();
  t.pieces.forEach((p, id) => lookup.has(key(p)) || lookup.set(key(p), id));
  const tokens: number[] = [];
  if (bos) tokens.push(1);
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > 0) tokens.push(lookup.get(" ") ?? -1);
  let buf: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i]! & 0xc0) !== 0x80) buf = [];
    buf.push(bytes[i]!);
    const next = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    if ((next & 0xc0) === 0x80 && buf.length < 4) continue;
    const id = lookup.get(key(buf));
    if (id !== undefined) tokens.push(id);
    else for (const b of buf) tokens.push(b + 3);
    buf = [];
  }
  for (;;) {
    let bestScore = -1e10;
    let bestId = -1;
    let bestIdx = -1;
    for (let i = 0; i + 1 < tokens.length; i++) {
      const id = lookup.get(key([...t.pieces[tokens[i]!]!, ...t.pieces[tokens[i + 1]!]!]));
      if (id !== undefined && t.scores[id]! > bestScore) {
        bestScore = t.scores[id]!;
        bestId = id;
        bestIdx = i;
      }
    }
    if (bestIdx === -1) break;
    tokens.splice(bestIdx, 2, bestId);
  }
  return tokens;
}
