// llama2.c model files: the 7-int header, validated, and the byte layout of every weight block it implies.
import { closeSync, fstatSync, openSync } from "node:fs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { readExactly } from "../file.ts";

export interface Llama2cConfig {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  /** Classifier shares the token embedding (llama2.c: vocab_size > 0 in the header). */
  sharedClassifier: boolean;
  /** 0: Karpathy's legacy export (header then floats); 1: the "ak42" version-1 export (256-byte header). */
  version: 0 | 1;
}

/** One weight block of the file: `count` float32 values at byte `offset`. */
export interface Block {
  offset: number;
  count: number;
}

export type BlockName =
  | "embed" | "rmsAtt" | "wq" | "wk" | "wv" | "wo" | "rmsFfn" | "w1" | "w2" | "w3" | "rmsFinal" | "freqReal" | "freqImag" | "wcls";

export interface Llama2cLayout {
  config: Llama2cConfig;
  blocks: Partial<Record<BlockName, Block>>;
  /** Bytes the file must have. */
  size: number;
}

const MAGIC_V1 = 0x616b3432; // "ak42"

function bad(file: string, what: string): C2iError {
  return new C2iError(
    ErrorCode.CHECKPOINT_CORRUPT,
    `${file}: ${what}; expected a llama2.c model export (legacy: 7 int32 then float32 weights, or version 1 "ak42")`,
  );
}

/** Where each block lives, in file order, for a given config. */
export function layoutFor(c: Llama2cConfig): Llama2cLayout {
  const headSize = c.dim / c.nHeads;
  const kvDim = (c.dim * c.nKvHeads) / c.nHeads;
  const L = c.nLayers;
  const sizes: Record<BlockName, number> = {
    embed: c.vocabSize * c.dim,
    rmsAtt: L * c.dim,
    wq: L * c.dim * c.dim,
    wk: L * kvDim * c.dim,
    wv: L * kvDim * c.dim,
    wo: L * c.dim * c.dim,
    rmsFfn: L * c.dim,
    w1: L * c.hiddenDim * c.dim,
    w2: L * c.dim * c.hiddenDim,
    w3: L * c.hiddenDim * c.dim,
    rmsFinal: c.dim,
    freqReal: (c.seqLen * headSize) / 2,
    freqImag: (c.seqLen * headSize) / 2,
    wcls: c.sharedClassifier ? 0 : c.vocabSize * c.dim,
  };
  const order: BlockName[] =
    c.version === 0
      ? ["embed", "rmsAtt", "wq", "wk", "wv", "wo", "rmsFfn", "w1", "w2", "w3", "rmsFinal", "freqReal", "freqImag", "wcls"]
      : ["rmsAtt", "rmsFfn", "rmsFinal", "embed", "wq", "wk", "wv", "wo", "w1", "w2", "w3", "wcls"];
  let offset = c.version === 0 ? 28 : 256;
  const blocks: Partial<Record<BlockName, Block>> = {};
  for (const name of order) {
    const count = sizes[name];
    if (name === "wcls" && c.sharedClassifier) continue;
    blocks[name] = { offset, count };
    offset += count * 4;
  }
  return { config: c, blocks, size: offset };
}

function checkConfig(file: string, c: Llama2cConfig): void {
  const fields: [string, number][] = [
    ["dim", c.dim], ["hidden_dim", c.hiddenDim], ["n_layers", c.nLayers], ["n_heads", c.nHeads],
    ["n_kv_heads", c.nKvHeads], ["vocab_size", c.vocabSize], ["seq_len", c.seqLen],
  ];
  const desc = fields.map(([k, v]) => `${k}=${v}`).join(" ");
  for (const [k, v] of fields) {
    if (!(v > 0) || v > 1 << 24) throw bad(file, `header field ${k}=${v} is out of range (${desc})`);
  }
  if (c.dim % c.nHeads !== 0 || (c.dim / c.nHeads) % 2 !== 0) throw bad(file, `dim ${c.dim} is not n_heads ${c.nHeads} × an even head size (${desc})`);
  if (c.nHeads % c.nKvHeads !== 0) throw bad(file, `n_heads ${c.nHeads} is not a multiple of n_kv_heads ${c.nKvHeads} (${desc})`);
}

/** Read and validate the header of a llama2.c model file; the file size must match the layout exactly. */
export function readLlama2cHeader(file: string): Llama2cLayout {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new C2iError(ErrorCode.NOT_FOUND, `cannot open llama2.c checkpoint ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 28) throw bad(file, `file is ${size} bytes, shorter than the 28-byte header`);
    const head = new Uint8Array(Math.min(size, 256));
    readExactly(fd, file, head, 0, "header");
    const view = new DataView(head.buffer);
    const int = (i: number) => view.getInt32(i * 4, true);
    let config: Llama2cConfig;
    if (view.getUint32(0, true) === MAGIC_V1) {
      if (int(1) !== 1) throw bad(file, `llama2.c export version ${int(1)} is not supported (only legacy and version 1 float32 exports)`);
      if (size < 256) throw bad(file, `version-1 file is ${size} bytes, shorter than its 256-byte header`);
      config = { dim: int(2), hiddenDim: int(3), nLayers: int(4), nHeads: int(5), nKvHeads: int(6), vocabSize: int(7), seqLen: int(8), sharedClassifier: head[36] === 1, version: 1 };
    } else {
      const vocab = int(5);
      config = { dim: int(0), hiddenDim: int(1), nLayers: int(2), nHeads: int(3), nKvHeads: int(4), vocabSize: Math.abs(vocab), seqLen: int(6), sharedClassifier: vocab > 0, version: 0 };
    }
    checkConfig(file, config);
    const layout = layoutFor(config);
    if (layout.size !== size) {
      const c = config;
      throw bad(
        file,
        `header (dim=${c.dim} hidden_dim=${c.hiddenDim} n_layers=${c.nLayers} n_heads=${c.nHeads} n_kv_heads=${c.nKvHeads} ` +
          `vocab_size=${c.vocabSize} ${c.sharedClassifier ? "shared" : "separate"} classifier seq_len=${c.seqLen}) needs ${layout.size} bytes but the file has ${size} (truncated, or a different format)`,
      );
    }
    return layout;
  } finally {
    closeSync(fd);
  }
}
