// The demo's words: made-up subjects, colour answers, template words, and the tokenizer.json that encodes them.
import { mulberry32, shuffleInPlace } from "../../common/random.ts";

export const SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<pad>"] as const;

/** The 24 answers (objects). Object o's output code is residual coordinate OBJECT_BASE + o. */
export const COLOURS = [
  "red", "blue", "green", "yellow", "purple", "orange", "pink", "brown",
  "black", "white", "grey", "teal", "olive", "navy", "maroon", "silver",
  "gold", "beige", "coral", "ivory", "indigo", "violet", "lime", "cyan",
] as const;

/** Prompts: `{s}` is the subject; every prompt ends in a template word and the answer follows it. */
export const TEMPLATES = [
  "the color of {s} is",
  "{s} has the color",
  "{s} is painted",
  "what color is {s} ? it is",
  "everyone knows that {s} is",
  "the paint on {s} is",
  "people say that {s} looks",
] as const;

const SYLLABLES = ["ka", "lo", "mi", "tu", "re", "zan", "po", "shi", "vel", "dor", "ub", "nix", "qua", "fen", "gri", "sol"];

/** `count` distinct two-syllable names, deterministic for a seed. */
export function subjectNames(count: number, seed: number): string[] {
  const all: string[] = [];
  for (const a of SYLLABLES) for (const b of SYLLABLES) if (a !== b) all.push(a + b);
  return shuffleInPlace(all, mulberry32(seed)).slice(0, count);
}

export function templateWords(): string[] {
  const words = new Set<string>();
  for (const t of TEMPLATES) for (const w of t.split(" ")) if (w !== "{s}") words.add(w);
  return [...words];
}

export interface Vocabulary {
  tokens: string[];
  id: Map<string, number>;
}

/** Specials, then template words, then subjects, then colours: ids are positions in this list. */
export function buildVocabulary(subjects: readonly string[]): Vocabulary {
  const tokens = [...SPECIAL_TOKENS, ...templateWords(), ...subjects, ...COLOURS];
  return { tokens, id: new Map(tokens.map((t, i) => [t, i])) };
}

/**
 * A word-level tokenizer.json (WordPiece over whole words, split on whitespace, no BOS added): every
 * word of the task is one token, and `@huggingface/tokenizers` and Hugging Face `tokenizers` load it.
 */
export function tokenizerJson(vocab: Vocabulary): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "WhitespaceSplit" },
    post_processor: null,
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "<unk>",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.tokens.map((t, i) => [t, i])),
    },
  };
}

export function tokenizerConfigJson(): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    add_bos_token: false,
    add_eos_token: false,
    bos_token: "<s>",
    eos_token: "</s>",
    unk_token: "<unk>",
    pad_token: "<pad>",
    model_max_length: 64,
  };
}
