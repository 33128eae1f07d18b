// The cloze task built from the real TinyStories files in ../shared/data/tinystories, read as they are (skipped when the folder is absent).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateCloze, type ClozeRow } from "../../agent/demo/cloze/generate.ts";
import { hasMojibake, repairMojibake } from "../../agent/demo/cloze/mojibake.ts";
import { groupParagraphs } from "../../agent/demo/cloze/story-boundaries.ts";
import { readStoryText } from "../../agent/demo/cloze/story-text.ts";
import { splitSentences } from "../../agent/demo/cloze/words.ts";
import { realData, SHARED_DATA } from "./fixtures.ts";

const dir = realData("tinystories");
const VALIDATION = "tinystories_validation.head.hf_export.txt";
const TRAIN = "TinyStories-train.first1000.one_per_line.txt";
const read = (name: string) => readFileSync(join(dir!, name), "utf8");
const answerOf = (r: ClozeRow) => ("answer" in r ? r.answer : r.choices[r.label]!);

/** Every prompt, and the prompt followed by its answer, is running text of the file (mojibake repaired, whitespace collapsed). */
function expectFromText(rows: readonly ClozeRow[], raw: string): void {
  const text = repairMojibake(raw).text.replace(/\s+/g, " ");
  for (const r of rows.slice(0, 400)) {
    expect(text.includes(r.prompt), r.prompt).toBe(true);
    expect(text.includes(`${r.prompt} ${answerOf(r)}`) || text.includes(r.prompt + answerOf(r)), `${r.prompt} → ${answerOf(r)}`).toBe(true);
  }
}

const title = "cloze from the real TinyStories files" + (dir ? "" : ` (skipped: ${SHARED_DATA}/tinystories is absent on this machine)`);

describe.skipIf(!dir)(title, () => {
  it(`reads ${VALIDATION} as the HF export: 926 stories, 234 mojibake sequences repaired, none left`, () => {
    const raw = read(VALIDATION);
    const t = readStoryText(raw);
    expect(t.format).toBe("hf-export");
    expect(t.stories).toHaveLength(926);
    expect(t.skipped).toEqual({});
    expect(t.repaired).toBe(234);
    expect(t.stories[0]).toMatch(/^Spot\. Spot saw the shiny car .* They played together all day and became best friends\.$/);
    expect(t.stories[1]).toMatch(/^Once upon a time, in a big forest, there lived a rhinoceros named Roxy\./);
    expect(t.stories.some(hasMojibake)).toBe(false);
    const rows = generateCloze({ stories: t.stories, seed: 5 });
    expect(rows).toHaveLength(51395);
    expect(rows.some((r) => hasMojibake(r.prompt) || hasMojibake(answerOf(r)))).toBe(false);
    expect(generateCloze({ stories: readStoryText(raw).stories, seed: 5 })).toEqual(rows);
    expect(generateCloze({ stories: t.stories, seed: 6 }).slice(0, 50)).not.toEqual(rows.slice(0, 50));
    expectFromText(rows, raw);
  });

  it(`reads ${TRAIN} one story per line: 1,000 stories, choice rows from the file's words`, () => {
    const raw = read(TRAIN);
    const t = readStoryText(raw);
    expect({ format: t.format, stories: t.stories.length, skipped: t.skipped, repaired: t.repaired }).toEqual({ format: "lines", stories: 1000, skipped: {}, repaired: 0 });
    expect(t.stories[0]).toMatch(/^One day, a little girl named Lily found a needle in her room\./);
    const rows = generateCloze({ stories: t.stories, seed: 1, mode: "choice" });
    expect(rows).toHaveLength(57867);
    expect(generateCloze({ stories: readStoryText(raw).stories, seed: 1, mode: "choice" })).toEqual(rows);
    expectFromText(rows, raw);
  });

  it("the HF-export boundary rule recovers most true story starts of the training stories and rarely splits inside one", () => {
    // The training file's stories have known boundaries: give the rule one sentence per paragraph (as if every sentence were a paragraph).
    const paragraphs: string[] = [];
    const starts = new Set<number>();
    for (const story of read(TRAIN).split("\n")) {
      starts.add(paragraphs.length);
      paragraphs.push(...splitSentences(story));
    }
    let at = 0;
    let found = 0;
    for (const group of groupParagraphs(paragraphs)) {
      if (starts.has(at)) found++;
      at += group.length;
    }
    const falseStarts = groupParagraphs(paragraphs).length - found;
    expect({ found, of: starts.size, falseStarts, among: paragraphs.length - starts.size }).toEqual({ found: 849, of: 1000, falseStarts: 18, among: 19780 });
  });
});
