// Token ids of a tokenizer.json, checked before @huggingface/tokenizers sees them; the largest one sizes the vocabulary.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";

/**
 * Ids are int32, as tfjs' gather and the Rust tokenizers' u32 both allow. The library stores tokens in
 * an array indexed by id, so one id of 2^31 − 1 makes a sparse array of that length whose walk
 * (`get_vocab`) takes minutes: ids beyond int32 are refused here, and the vocabulary size is read from the JSON
 * (the largest id + 1) instead of from that walk.
 */
const MAX_TOKEN_ID = 2 ** 31 - 1;

function checkId(id: unknown, what: string, path: string): number {
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${path}: ${what} must be a token id (an integer from 0 to ${MAX_TOKEN_ID}), got ${previewJson(id)}`);
  }
  return id;
}

/**
 * Validates the ids of `model.vocab` (a token → id object, or Unigram's [token, score] list) and of
 * `added_tokens`, and returns one more than the largest: the vocabulary size.
 */
export function vocabularySize(json: Record<string, unknown>, path: string): number {
  let max = -1;
  const model = json.model;
  const vocab = model !== null && typeof model === "object" ? (model as Record<string, unknown>).vocab : undefined;
  if (Array.isArray(vocab)) {
    max = vocab.length - 1;
  } else if (vocab !== null && typeof vocab === "object") {
    for (const [token, id] of Object.entries(vocab)) max = Math.max(max, checkId(id, `model.vocab[${previewJson(token, 40)}]`, path));
  }
  const added = json.added_tokens;
  if (added !== undefined && !Array.isArray(added)) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${path}: added_tokens must be a list, got ${previewJson(added)}`);
  }
  (added ?? []).forEach((t: unknown, i: number) => {
    if (t === null || typeof t !== "object") throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${path}: added_tokens[${i}] must be an object {id, content, …}, got ${previewJson(t)}`);
    max = Math.max(max, checkId((t as Record<string, unknown>).id, `added_tokens[${i}].id`, path));
  });
  return max + 1;
}
