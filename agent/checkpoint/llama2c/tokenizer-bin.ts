// llama2.c tokenizer.bin: int32 max_token_length, then per token float32 score, int32 length, bytes.
import { readFileSync } from "node:fs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";

export interface Llama2cTokenizer {
  maxTokenLength: number;
  /** Raw bytes of each token (' ' where sentencepiece writes '▁'; BOS/EOS as "\n<s>\n", "\n</s>\n"). */
  pieces: Uint8Array[];
  scores: Float32Array;
}

/**
 * Read a tokenizer.bin. The format stores no count: pass the model's vocab_size to check it (the
 * file must hold exactly that many tokens), or omit it to read to the end of the file.
 */
export function readTokenizerBin(file: string, vocabSize?: number): Llama2cTokenizer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new C2iError(ErrorCode.TOKENIZER_MISSING, `cannot read llama2.c tokenizer ${file}: ${(e as Error).message}`, { cause: e });
  }
  const bad = (what: string) => new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file}: ${what}; expected a llama2.c tokenizer.bin`);
  if (bytes.length < 4) throw bad(`file is ${bytes.length} bytes, shorter than its 4-byte header`);
  const maxTokenLength = bytes.readInt32LE(0);
  if (maxTokenLength <= 0 || maxTokenLength > 1 << 16) throw bad(`max_token_length ${maxTokenLength} is out of range`);
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let at = 4;
  while (at < bytes.length && (vocabSize === undefined || pieces.length < vocabSize)) {
    const id = pieces.length;
    if (at + 8 > bytes.length) throw bad(`token ${id} is cut off at byte ${at} (file truncated)`);
    const score = bytes.readFloatLE(at);
    const len = bytes.readInt32LE(at + 4);
    if (len < 0 || len > maxTokenLength) throw bad(`token ${id} at byte ${at} has length ${len}, outside 0…max_token_length ${maxTokenLength}`);
    if (!Number.isFinite(score)) throw bad(`token ${id} at byte ${at} has a non-finite score`);
    if (at + 8 + len > bytes.length) throw bad(`token ${id} at byte ${at} needs ${len} bytes past the end of the file (truncated)`);
    pieces.push(Uint8Array.from(bytes.subarray(at + 8, at + 8 + len)));
    scores.push(score);
    at += 8 + len;
  }
  if (vocabSize !== undefined && pieces.length < vocabSize) throw bad(`holds ${pieces.length} tokens but the model's vocab_size is ${vocabSize} (truncated, or the wrong tokenizer)`);
  if (at !== bytes.length) throw bad(`${bytes.length - at} bytes remain after ${pieces.length} tokens (the model's vocab_size is ${vocabSize}: wrong tokenizer?)`);
  if (pieces.length === 0) throw bad("holds no tokens");
  return { maxTokenLength, pieces, scores: Float32Array.from(scores) };
}
