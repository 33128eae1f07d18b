// Whether the output head is the input embedding: one rule, from config.json, for every architecture.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { ConfigFields } from "./config_fields.ts";

/**
 * Hugging Face's `tie_word_embeddings` when config.json omits it, per model_type:
 * - gpt2, bert, roberta: GPT2Config and BertConfig do not set it and RobertaConfig subclasses BertConfig,
 *   so PretrainedConfig's `kwargs.pop("tie_word_embeddings", True)` applies (transformers v4,
 *   src/transformers/configuration_utils.py; models/{gpt2,bert,roberta}/configuration_*.py).
 * - gptj: `GPTJConfig.__init__(…, tie_word_embeddings=False)` (models/gptj/configuration_gptj.py; the
 *   first 2021 releases lacked the argument and so inherited True).
 * - gpt_neox: `GPTNeoXConfig(…, tie_word_embeddings=False)` (v4 argument, v5 dataclass field).
 * - llama: `LlamaConfig(…, tie_word_embeddings=False)` (v4 argument, v5 dataclass field).
 */
export const TIE_WORD_EMBEDDINGS_DEFAULT = {
  gpt2: true,
  gptj: false,
  gpt_neox: false,
  llama: false,
  bert: true,
  roberta: true,
} as const satisfies Record<string, boolean>;

export type TiedHeadModelType = keyof typeof TIE_WORD_EMBEDDINGS_DEFAULT;

/**
 * True when the output head reads the input embedding: config.json's `tie_word_embeddings` when set, else
 * Hugging Face's default for `modelType`. Tied, a `head` tensor the checkpoint also holds is not read (the
 * loader keeps it as passthrough, so a written checkpoint still has it). Untied, the checkpoint must hold
 * `head`: its absence is an error, never a reason to tie.
 */
export function tiedHead(f: ConfigFields, modelType: TiedHeadModelType, head: string, names: ReadonlySet<string>, source: string): boolean {
  const tied = f.boolean("tie_word_embeddings", TIE_WORD_EMBEDDINGS_DEFAULT[modelType]);
  if (tied || names.has(head)) return tied;
  const why = f.has("tie_word_embeddings")
    ? `"tie_word_embeddings" is false`
    : `"tie_word_embeddings" is absent and Hugging Face's default for ${modelType} is false`;
  throw new C2iError(
    ErrorCode.CHECKPOINT_MISSING_TENSOR,
    `${source}: the checkpoint has no output head "${head}", and ${why}, so the head is not the input embedding; ` +
      `set "tie_word_embeddings": true in config.json if this model shares them, or use the checkpoint that has "${head}"`,
  );
}
