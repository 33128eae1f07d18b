// Which special tokens a tokenizer has and which it adds by default, from its config files and its post-processor.
import { C2iError, ErrorCode } from "../../common/errors.ts";

/** What `special-tokens` needs from the library's tokenizer: ids with and without added specials. */
export interface SpecialTokenProbe {
  encodeIds(text: string, addSpecialTokens: boolean): number[];
  tokenId(token: string): number | undefined;
}

export interface SpecialTokens {
  bos?: number;
  addsBos: boolean;
  eos?: number;
  addsEos: boolean;
  pad?: number;
  mask?: number;
  maskToken?: string;
}

/** Common spellings, used only when the config files do not name a token. */
const FALLBACK = {
  bos: ["<s>", "<|begin_of_text|>", "<|endoftext|>", "[CLS]"],
  eos: ["</s>", "<|end_of_text|>", "<|endoftext|>", "[SEP]"],
  pad: ["<pad>", "[PAD]"],
  mask: ["<mask>", "[MASK]"],
} as const;

/** tokenizer_config.json writes a token as "text" or as {"content": "text", …}. */
export function tokenText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** Special ids the post-processor puts before and after a plain text, learned by encoding a probe. */
function probeAdded(probe: SpecialTokenProbe): { prefix: number[]; suffix: number[] } {
  const text = "a";
  const plain = probe.encodeIds(text, false);
  const full = probe.encodeIds(text, true);
  for (let start = 0; start + plain.length <= full.length; start++) {
    if (plain.every((id, i) => full[start + i] === id)) {
      return { prefix: full.slice(0, start), suffix: full.slice(start + plain.length) };
    }
  }
  return { prefix: [], suffix: [] };
}

/**
 * Resolve the special tokens. `add_bos_token`/`add_eos_token` in tokenizer_config.json win (that is
 * what transformers does); otherwise the post-processor decides (GPT-2: none; Llama: `<s> $A`;
 * BERT: `[CLS] $A [SEP]`; RoBERTa: `<s> $A </s>`).
 */
export function resolveSpecialTokens(config: Record<string, unknown>, probe: SpecialTokenProbe, where: string): SpecialTokens {
  const { prefix, suffix } = probeAdded(probe);
  const named = (keys: string[], fallback: readonly string[]): number | undefined => {
    for (const key of keys) {
      const text = tokenText(config[key]);
      const id = text === undefined ? undefined : probe.tokenId(text);
      if (id !== undefined) return id;
    }
    for (const text of fallback) {
      const id = probe.tokenId(text);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  const addsBos = typeof config.add_bos_token === "boolean" ? config.add_bos_token : prefix.length > 0;
  const addsEos = typeof config.add_eos_token === "boolean" ? config.add_eos_token : suffix.length > 0;
  const bos = prefix[0] ?? named(["bos_token", "cls_token"], FALLBACK.bos);
  const eos = suffix[suffix.length - 1] ?? named(["eos_token", "sep_token"], FALLBACK.eos);
  if (addsBos && bos === undefined) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${where}: add_bos_token is true but no BOS token is named or known; set "bos_token" in tokenizer_config.json`);
  }
  if (addsEos && eos === undefined) {
    throw new C2iError(ErrorCode.TOKENIZER_INVALID, `${where}: add_eos_token is true but no EOS token is named or known; set "eos_token" in tokenizer_config.json`);
  }
  const mask = named(["mask_token"], FALLBACK.mask);
  const maskText = tokenText(config.mask_token);
  const maskToken = mask === undefined ? undefined : maskText !== undefined && probe.tokenId(maskText) === mask ? maskText : FALLBACK.mask.find((t) => probe.tokenId(t) === mask);
  return { bos, addsBos, eos, addsEos, pad: named(["pad_token"], FALLBACK.pad), mask, maskToken };
}
