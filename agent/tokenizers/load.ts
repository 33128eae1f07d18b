// Loads a Hugging Face tokenizer directory (tokenizer.json + optional configs) through @huggingface/tokenizers.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { vocabularySize } from "./ids.ts";
import { resolveSpecialTokens, tokenText, type SpecialTokens } from "./special-tokens.ts";
import type { DecodeOptions, Tokenizer } from "./types.ts";

/** The keys the library insists on; a hand-written tokenizer.json may leave them out (meaning "none"). */
const COMPONENT_KEYS = ["normalizer", "pre_tokenizer", "post_processor", "decoder"] as const;

async function readJson(path: string, optional: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${path} is not valid JSON (${(e as Error).message}): re-download or regenerate it`, { cause: e });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The library's config wants plain strings where transformers sometimes writes {"content": …}. */
function flattenTokens(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = key.endsWith("_token") ? (tokenText(value) ?? value) : value;
  }
  if (Array.isArray(config.additional_special_tokens)) {
    out.additional_special_tokens = config.additional_special_tokens.map((t) => tokenText(t) ?? t);
  }
  return out;
}

class HfTokenizerImpl implements Tokenizer {
  readonly bos?: number;
  readonly addsBos: boolean;
  readonly eos?: number;
  readonly addsEos: boolean;
  readonly pad?: number;
  readonly mask?: number;
  readonly maskToken?: string;
  readonly vocabSize: number;

  constructor(
    readonly source: string,
    private readonly inner: HfTokenizer,
    special: SpecialTokens,
    vocabSize: number,
  ) {
    Object.assign(this, special);
    this.addsBos = special.addsBos;
    this.addsEos = special.addsEos;
    this.vocabSize = vocabSize;
  }

  encode(text: string): number[] {
    const ids: number[] = this.inner.encode(text, { add_special_tokens: false }).ids;
    if (ids.some((id: unknown) => typeof id !== "number")) {
      throw new C2iError(
        ErrorCode.TOKENIZER_INVALID,
        `${this.source}: "${text.slice(0, 60)}" has pieces outside the vocabulary and the tokenizer has no unk token`,
      );
    }
    return ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return "";
    return this.inner.decode([...ids], { skip_special_tokens: options.skipSpecial ?? false });
  }

  tokenId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }
}

/**
 * Load `dir/tokenizer.json`, with `tokenizer_config.json` and `special_tokens_map.json` when present
 * (tokenizer_config wins where both name a token). A missing tokenizer.json is TOKENIZER_MISSING;
 * an unreadable or unsupported one is TOKENIZER_INVALID.
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const path = join(dir, "tokenizer.json");
  const json = await readJson(path, true);
  if (!json) {
    throw new C2iError(
      ErrorCode.TOKENIZER_MISSING,
      `no tokenizer.json in ${dir}: copy the model's tokenizer.json there (llama2.c checkpoints: run "c2i convert llama2c" first)`,
    );
  }
  const config = {
    ...((await readJson(join(dir, "special_tokens_map.json"), true)) ?? {}),
    ...((await readJson(join(dir, "tokenizer_config.json"), true)) ?? {}),
  };
  const vocabSize = vocabularySize(json, path);
  const definition: Record<string, unknown> = { added_tokens: [], ...json };
  for (const key of COMPONENT_KEYS) definition[key] ??= null;
  let inner: HfTokenizer;
  try {
    inner = new HfTokenizer(definition, flattenTokens(config));
  } catch (e) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${path}: @huggingface/tokenizers cannot build it (${(e as Error).message})`, { cause: e });
  }
  const probe = {
    encodeIds: (text: string, add: boolean) => inner.encode(text, { add_special_tokens: add }).ids,
    tokenId: (token: string) => inner.token_to_id(token),
  };
  let special: SpecialTokens;
  try {
    special = resolveSpecialTokens(config, probe, path);
  } catch (e) {
    if (e instanceof C2iError) throw e;
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${path}: encoding a probe text failed (${(e as Error).message})`, { cause: e });
  }
  return new HfTokenizerImpl(dir, inner, special, vocabSize);
}
