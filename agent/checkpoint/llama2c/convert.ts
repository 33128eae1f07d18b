// `c2i convert llama2c`: a llama2.c model + tokenizer.bin become a Hugging Face Llama checkpoint directory.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeTextAtomic } from "../atomic.ts";
import type { Dtype } from "../dtype.ts";
import { writeCheckpoint } from "../writer.ts";
import { readLlama2cHeader, type Llama2cConfig } from "./header.ts";
import { buildTokenizerJson } from "./tokenizer-json.ts";
import { readTokenizerBin } from "./tokenizer-bin.ts";
import { llamaConfigJson, readLlama2cWeights } from "./weights.ts";

export interface ConvertLlama2cOptions {
  /** llama2.c model file (legacy export, or version-1 "ak42"). */
  checkpoint: string;
  /** llama2.c tokenizer.bin; when omitted no tokenizer files are written. */
  tokenizer?: string;
  /** Output directory (created). */
  out: string;
  /** Stored dtype of the weights. @default "F32" */
  dtype?: Dtype;
  /** Shard above this many bytes. @default 5_000_000_000 */
  maxShardBytes?: number;
}

export interface ConvertLlama2cResult {
  out: string;
  config: Llama2cConfig;
  tensors: number;
  parameters: number;
  /** Tokens and merges written to tokenizer.json, when a tokenizer was given. */
  tokenizer: { tokens: number; merges: number } | null;
}

/** Validate both inputs fully before writing anything; weights and config land atomically. */
export function convertLlama2c(options: ConvertLlama2cOptions): ConvertLlama2cResult {
  const layout = readLlama2cHeader(options.checkpoint);
  const c = layout.config;
  const tok = options.tokenizer ? readTokenizerBin(options.tokenizer, c.vocabSize) : undefined;
  const hfTok = tok && options.tokenizer ? buildTokenizerJson(options.tokenizer, tok, c.seqLen) : undefined;
  const tensors = readLlama2cWeights(options.checkpoint, layout, options.dtype);
  mkdirSync(options.out, { recursive: true });
  writeCheckpoint(options.out, tensors, { maxShardBytes: options.maxShardBytes, metadata: { format: "pt", source: "llama2.c" } });
  if (hfTok) {
    writeTextAtomic(join(options.out, "tokenizer.json"), JSON.stringify(hfTok.tokenizer) + "\n");
    writeTextAtomic(join(options.out, "tokenizer_config.json"), JSON.stringify(hfTok.config, null, 2) + "\n");
  }
  writeTextAtomic(join(options.out, "config.json"), JSON.stringify(llamaConfigJson(layout, options.dtype), null, 2) + "\n");
  return {
    out: options.out,
    config: c,
    tensors: tensors.length,
    parameters: tensors.reduce((s, t) => s + t.data.length, 0),
    tokenizer: hfTok && tok ? { tokens: tok.pieces.length, merges: hfTok.merges } : null,
  };
}
