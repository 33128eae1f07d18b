// Reads story text files as they are distributed — one story per line, blank-line blocks, or the TinyStories HF export — into stories.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { repairMojibake } from "./mojibake.ts";
import { groupParagraphs } from "./story-boundaries.ts";
import { splitSentences } from "./words.ts";

/**
 * - `lines`: one story per line (TinyStories-train.first1000.one_per_line.txt); blank lines are ignored.
 * - `blocks`: stories separated by blank lines (the built-in corpus; `--text` before formats existed).
 * - `hf-export`: paragraphs separated by blank lines, stories too (a Hugging Face split written out as text);
 *   story boundaries are inferred (`groupParagraphs`).
 * - `auto`: `lines` when no blank line separates two lines of text; otherwise `hf-export` when at least
 *   `CONTINUATION_SHARE` of the blocks begin like a story's later paragraph (a quote, a pronoun, "But", "Then", …),
 *   else `blocks`.
 */
export const STORY_TEXT_FORMATS = ["auto", "lines", "blocks", "hf-export"] as const;
export type StoryTextFormat = (typeof STORY_TEXT_FORMATS)[number];

/** Blocks beginning like a continuation, above which `auto` reads paragraphs (HF export: 31%; stories in blocks: 0%). */
export const CONTINUATION_SHARE = 0.1;

const CONTINUATION = /^(?:["“‘']|(?:He|She|They|It|We|I|You|His|Her|Their|Its|But|Then|So|And|After|When|As|While|Suddenly|Finally|Later|Soon|Now|Together)\b)/;

/** Why a story of the file is not used: `no-sentence` — nothing in it ends in ".", "!" or "?"; `duplicate` — an earlier story has the same text. */
export const SKIP_REASONS = { noSentence: "no-sentence", duplicate: "duplicate" } as const;

export interface StoryText {
  /** The format read (`auto` resolved). */
  format: Exclude<StoryTextFormat, "auto">;
  /** The stories used, in file order, whitespace collapsed. */
  stories: string[];
  /** Stories found but not used: `SKIP_REASONS` value → count. */
  skipped: Record<string, number>;
  /** Stories used whose text ends in an unfinished sentence (that sentence gives no items). */
  unfinished: number;
  /** Mojibake sequences repaired (`repairMojibake`). */
  repaired: number;
}

export function isStoryTextFormat(value: string): value is StoryTextFormat {
  return (STORY_TEXT_FORMATS as readonly string[]).includes(value);
}

const blocksOf = (text: string): string[] => text.split(/\n[ \t\u00a0]*\n/).map((b) => b.trim()).filter((b) => b.length > 0);

export function detectStoryTextFormat(text: string): Exclude<StoryTextFormat, "auto"> {
  const normalised = text.replace(/\r\n?/g, "\n").trim();
  if (!/\n[ \t\u00a0]*\n/.test(normalised)) return "lines";
  const blocks = blocksOf(normalised);
  const continuing = blocks.filter((b) => CONTINUATION.test(b)).length;
  return continuing >= CONTINUATION_SHARE * blocks.length ? "hf-export" : "blocks";
}

/** The stories of `text` read as `format`, mojibake repaired, with what was skipped and why. */
export function readStoryText(text: string, format: StoryTextFormat = "auto"): StoryText {
  const { text: clean, repaired } = repairMojibake(text.replace(/^\ufeff/, "").replace(/\r\n?/g, "\n"));
  const resolved = format === "auto" ? detectStoryTextFormat(clean) : format;
  let candidates: string[];
  if (resolved === "lines") candidates = clean.split("\n");
  else if (resolved === "blocks") candidates = blocksOf(clean);
  else candidates = groupParagraphs(blocksOf(clean).map(collapse)).map((paragraphs) => paragraphs.join(" "));
  const stories: string[] = [];
  const skipped: Record<string, number> = {};
  const seen = new Set<string>();
  let unfinished = 0;
  for (const candidate of candidates.map(collapse)) {
    if (candidate.length === 0) continue;
    const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
    const sentences = splitSentences(candidate);
    if (sentences.length === 0) skip(SKIP_REASONS.noSentence);
    else if (seen.has(candidate)) skip(SKIP_REASONS.duplicate);
    else {
      seen.add(candidate);
      stories.push(candidate);
      if (!candidate.endsWith(sentences[sentences.length - 1]!)) unfinished++;
    }
  }
  if (stories.length === 0) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `the story text holds no story with a complete sentence (read as ${resolved}); see docs/datasets.md for the formats`);
  }
  return { format: resolved, stories, skipped, unfinished, repaired };
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
