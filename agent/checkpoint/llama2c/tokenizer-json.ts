// tokenizer.bin → a Hugging Face tokenizer.json (SentencePiece-style BPE with byte fallback) that encodes like llama2.c.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { Llama2cTokenizer } from "./tokenizer-bin.ts";

const SPACE = "▁"; // sentencepiece's visible space; tokenizer.bin stores ' ' instead
const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

export interface HfTokenizerFiles {
  /** tokenizer.json content */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json content */
  config: Record<string, unknown>;
  merges: number;
}

/**
 * Vocabulary strings: bytes decoded as UTF-8, ' ' → '▁', and llama2.c's "\n<s>\n"/"\n</s>\n" (ids 1 and 2) back to
 * "<s>"/"</s>". Ids 0–2 are the special tokens (<unk>, BOS, EOS), as llama2.c hard-codes.
 */
function vocabStrings(file: string, tok: Llama2cTokenizer): string[] {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  return tok.pieces.map((bytes, id) => {
    let s: string;
    try {
      s = decoder.decode(bytes);
    } catch {
      throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file}: token ${id} is not valid UTF-8; cannot express it in tokenizer.json`);
    }
    return id <= 2 ? s.trim() : s.replaceAll(" ", SPACE);
  });
}

/**
 * Merges as llama2.c's encoder applies them: any adjacent pair whose concatenation is a vocabulary
 * token may merge, the pair whose merged token has the highest score first. So every split of
 * every (non-special, non-byte) token into two vocabulary tokens is a merge, ranked by the merged
 * token's score (ties: lower id first).
 */
function mergesOf(vocab: string[], scores: Float32Array, mergeable: (id: number) => boolean): [string, string][] {
  const ids = new Map<string, number>();
  vocab.forEach((s, id) => mergeable(id) && !ids.has(s) && ids.set(s, id));
  const found: { pair: [string, string]; score: number; id: number; left: number }[] = [];
  vocab.forEach((s, id) => {
    if (!mergeable(id)) return;
    const chars = Array.from(s);
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join("");
      const right = chars.slice(k).join("");
      const l = ids.get(left);
      if (l !== undefined && ids.has(right)) found.push({ pair: [left, right], score: scores[id]!, id, left: l });
    }
  });
  found.sort((a, b) => b.score - a.score || a.id - b.id || a.left - b.left);
  return found.map((m) => m.pair);
}

export function buildTokenizerJson(file: string, tok: Llama2cTokenizer, modelMaxLength: number): HfTokenizerFiles {
  const vocab = vocabStrings(file, tok);
  if (vocab.length < 3) throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file}: ${vocab.length} tokens; llama2.c needs at least <unk>, BOS and EOS`);
  const seen = new Map<string, number>();
  vocab.forEach((s, id) => {
    const prev = seen.get(s);
    if (prev !== undefined) {
      throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file}: tokens ${prev} and ${id} are both ${JSON.stringify(s)}; a tokenizer.json vocabulary needs unique strings`);
    }
    seen.set(s, id);
  });
  const merges = mergesOf(vocab, tok.scores, (id) => id > 2 && !BYTE_TOKEN.test(vocab[id]!));
  const [unk, bos, eos] = vocab as [string, string, string];
  const special = (id: number) => ({ id, content: vocab[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(0), special(1), special(2)],
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "Prepend", prepend: SPACE },
        { type: "Replace", pattern: { String: " " }, content: SPACE },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: bos, type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: bos, type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: bos, type_id: 1 } },
        { Sequence: { id: "B", type_id: 1 } },
      ],
      special_tokens: { [bos]: { id: bos, ids: [1], tokens: [bos] } },
    },
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: SPACE }, content: " " },
        { type: "ByteFallback" },
        { type: "Fuse" },
        { type: "Strip", content: " ", start: 1, stop: 0 },
      ],
    },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: unk,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((s, id) => [s, id])),
      merges,
    },
  };
  const config = {
    tokenizer_class: "LlamaTokenizer",
    add_bos_token: true,
    add_eos_token: false,
    bos_token: bos,
    eos_token: eos,
    unk_token: unk,
    pad_token: null,
    clean_up_tokenization_spaces: false,
    legacy: true,
    model_max_length: modelMaxLength,
    sp_model_kwargs: {},
  };
  return { tokenizer, config, merges: merges.length };
}
