// Deterministic cloze task from story text: predict a sentence's content word from the story so far (generative or multiple choice).
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { mulberry32, randomInt, shuffleInPlace } from "../../../common/random.ts";
import { BUILTIN_STORIES } from "./corpus.ts";
import { isContentWord, splitSentences, splitStories, wordsOf } from "./words.ts";

export interface ClozeOptions {
  /** Story text: stories separated by blank lines. @default BUILTIN_STORIES (agent/demo/cloze/corpus.ts) */
  text?: string;
  /** The stories, one string each (`readStoryText(…).stories` for a file in another format); instead of `text`. */
  stories?: readonly string[];
  /** Seeds the row order and the distractors; the same text and options give the same rows. @default 0 */
  seed?: number;
  /** `generative` rows {prompt, answer} or `choice` rows {prompt, choices, label}. @default "generative" */
  mode?: "generative" | "choice";
  /** Which words are asked: every content word of a sentence past `minPrefixWords`, or only its last one. @default "all" */
  positions?: "all" | "last";
  /** Words of its sentence that must precede an asked word. @default 3 */
  minPrefixWords?: number;
  /** Earlier sentences of the same story put in front of the sentence. @default 2 */
  contextSentences?: number;
  /** Wrong choices per item (choice mode), drawn from the other answers of the text. @default 3 */
  distractors?: number;
  /**
   * Put before every answer and choice. "" suits SentencePiece tokenizers (Llama, the TinyStories llama2.c
   * models), whose normalizer prepends "▁" to each encoded piece, so "park" after "…the" encodes as in the
   * running text; use " " for GPT-2-style BPE. @default ""
   */
  answerPrefix?: string;
  /** Keep at most this many rows (after the seeded shuffle). @default all */
  limit?: number;
}

export type ClozeRow = { prompt: string; answer: string } | { prompt: string; choices: string[]; label: number };

interface Item {
  prompt: string;
  word: string;
}

function items(stories: readonly string[][], positions: "all" | "last", minPrefix: number, context: number): Item[] {
  const out: Item[] = [];
  for (const story of stories) {
    story.forEach((sentence, s) => {
      const before = story.slice(Math.max(0, s - context), s).join(" ");
      const words = wordsOf(sentence);
      const asked = words.filter((w, i) => i >= minPrefix && isContentWord(w.text));
      for (const w of positions === "last" ? asked.slice(-1) : asked) {
        const head = sentence.slice(0, w.start).trimEnd();
        out.push({ prompt: before ? `${before} ${head}` : head, word: w.text });
      }
    });
  }
  return out;
}

/** The cloze rows, in a seeded order (so LASER's first-20% validation split is a fair sample). */
export function generateCloze(options: ClozeOptions = {}): ClozeRow[] {
  const seed = options.seed ?? 0;
  const mode = options.mode ?? "generative";
  const prefix = options.answerPrefix ?? "";
  const k = options.distractors ?? 3;
  if (options.text !== undefined && options.stories !== undefined) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "give the cloze text or its stories, not both");
  const stories = options.stories ? options.stories.map(splitSentences) : splitStories(options.text ?? BUILTIN_STORIES);
  const found = items(stories, options.positions ?? "all", options.minPrefixWords ?? 3, options.contextSentences ?? 2);
  if (found.length === 0) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, "the cloze text yields no items: it needs sentences (ending in . ! ?) with lower-case content words after the first few words");
  }
  let rows: ClozeRow[];
  if (mode === "choice") {
    const vocabulary = [...new Set(found.map((i) => i.word))].sort();
    if (!Number.isInteger(k) || k < 1 || vocabulary.length < k + 1) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `choice mode needs 1 ≤ distractors < distinct answers (${vocabulary.length}); got distractors = ${k}`);
    }
    const random = mulberry32((seed ^ 0x5eed) >>> 0);
    rows = found.map(({ prompt, word }) => {
      const choices = [word];
      while (choices.length < k + 1) {
        const candidate = vocabulary[randomInt(random, vocabulary.length)]!;
        if (!choices.includes(candidate)) choices.push(candidate);
      }
      shuffleInPlace(choices, random);
      return { prompt, choices: choices.map((c) => prefix + c), label: choices.indexOf(word) };
    });
  } else {
    rows = found.map(({ prompt, word }) => ({ prompt, answer: prefix + word }));
  }
  shuffleInPlace(rows, mulberry32(seed));
  return options.limit === undefined ? rows : rows.slice(0, options.limit);
}

/** One JSON object per line: the generic JSONL dataset format (`--dataset file.jsonl`). */
export function clozeJsonl(rows: readonly ClozeRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
}
