// Small but real tokenizer directories (GPT-2-, Llama- and BERT-shaped tokenizer.json files) written for tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** GPT-2's byte ↔ printable-character table (bytes_to_unicode in the original encoder.py). */
function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return table;
}

/** A BPE vocabulary: the base symbols, then each merge's result, in merge order. */
function bpeVocab(base: string[], merges: [string, string][]): Record<string, number> {
  const vocab: Record<string, number> = {};
  for (const s of base) vocab[s] ??= Object.keys(vocab).length;
  for (const [a, b] of merges) vocab[a + b] ??= Object.keys(vocab).length;
  return vocab;
}

function write(dir: string, files: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(value));
  return dir;
}

/** GPT-2 shape: byte-level BPE, no BOS added, <|endoftext|> as BOS/EOS. */
export function writeGpt2Tokenizer(dir: string): string {
  const merges: [string, string][] = [
    ["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["Ġ", "i"], ["Ġi", "s"], ["Ġ", "P"], ["a", "r"], ["Ġ", "c"], ["i", "t"], ["Ġc", "it"], ["Ġcit", "y"],
  ];
  const vocab = bpeVocab(bytesToUnicode(), merges);
  const eot = Object.keys(vocab).length;
  vocab["<|endoftext|>"] = eot;
  return write(dir, {
    "tokenizer.json": {
      version: "1.0",
      added_tokens: [{ id: eot, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
      normalizer: null,
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, vocab, merges: merges.map(([a, b]) => `${a} ${b}`) },
    },
    "tokenizer_config.json": { bos_token: "<|endoftext|>", eos_token: "<|endoftext|>", unk_token: "<|endoftext|>", model_max_length: 1024 },
  });
}

/** Llama shape: SentencePiece-style BPE (▁ for spaces), `<s> $A` template, add_bos_token true. */
export function writeLlamaTokenizer(dir: string, options: { addBosToken?: boolean } = {}): string {
  const chars = "▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.,?!'0123456789".split("");
  const merges: [string, string][] = [["▁", "t"], ["h", "e"], ["▁t", "he"], ["▁", "i"], ["▁i", "s"], ["▁", "P"], ["▁P", "a"], ["r", "i"], ["▁Pa", "ri"], ["▁Pari", "s"]];
  const vocab = bpeVocab(["<unk>", "<s>", "</s>", ...chars], merges);
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return write(dir, {
    "tokenizer.json": {
      version: "1.0",
      added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
      normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }] },
      pre_tokenizer: null,
      post_processor: {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<s>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
        special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
      },
      decoder: {
        type: "Sequence",
        decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }],
      },
      model: { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: false, vocab, merges: merges.map(([a, b]) => `${a} ${b}`) },
    },
    "tokenizer_config.json": {
      ...(options.addBosToken === undefined ? {} : { add_bos_token: options.addBosToken }),
      add_eos_token: false,
      bos_token: { __type: "AddedToken", content: "<s>", lstrip: false, normalized: false, rstrip: false, single_word: false },
      eos_token: "</s>",
      unk_token: "<unk>",
    },
  });
}

/** The words of the BERT-shaped vocabulary, after its five special tokens. */
export const BERT_WORDS = ["the", "capital", "of", "france", "germany", "is", "paris", "berlin", "london", ".", "a", "city", "##s", "in", "europe", "sky", "blue", "green", "grass"];

/** BERT shape: WordPiece, lower-casing, `[CLS] $A [SEP]`, [MASK] for the masked protocol. */
export function writeBertTokenizer(dir: string): string {
  const specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
  const vocab: Record<string, number> = {};
  for (const t of [...specials, ...BERT_WORDS]) vocab[t] = Object.keys(vocab).length;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return write(dir, {
    "tokenizer.json": {
      version: "1.0",
      added_tokens: specials.map((t, i) => special(i, t)),
      normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
        pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
        special_tokens: { "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] } },
      },
      decoder: { type: "WordPiece", prefix: "##", cleanup: true },
      model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
    },
    "special_tokens_map.json": { cls_token: "[CLS]", sep_token: "[SEP]", mask_token: "[MASK]", pad_token: "[PAD]", unk_token: "[UNK]" },
  });
}

/** A fresh temporary directory and its remover. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `c2i-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
