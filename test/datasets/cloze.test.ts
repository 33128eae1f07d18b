// The story cloze generator: deterministic per seed, asks content words from the story so far, valid JSONL for the generic loader.
import { afterAll, describe, expect, it } from "vitest";
import { generateCloze, clozeJsonl } from "../../agent/demo/cloze/generate.ts";
import { BUILTIN_STORIES } from "../../agent/demo/cloze/corpus.ts";
import { isContentWord, splitStories } from "../../agent/demo/cloze/words.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { failure, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("cloze");
afterAll(() => files.remove());

const STORY = "Tom had a red ball. He kicked the ball over the fence!\n\nAnn saw a cat. The cat drank warm milk.";

describe("cloze generator", () => {
  it("asks every content word past the first three words, with the story's earlier sentences as context", () => {
    const rows = generateCloze({ text: STORY, seed: 1 }) as { prompt: string; answer: string }[];
    const sorted = [...rows].sort((a, b) => a.prompt.length - b.prompt.length || a.prompt.localeCompare(b.prompt));
    expect(sorted).toEqual([
      { prompt: "Ann saw a", answer: "cat" },
      { prompt: "Tom had a", answer: "red" },
      { prompt: "Tom had a red", answer: "ball" },
      { prompt: "Ann saw a cat. The cat drank", answer: "warm" },
      { prompt: "Ann saw a cat. The cat drank warm", answer: "milk" },
      { prompt: "Tom had a red ball. He kicked the", answer: "ball" },
      { prompt: "Tom had a red ball. He kicked the ball over the", answer: "fence" },
    ]);
  });

  it("is deterministic per seed and shuffles differently for another seed", () => {
    expect(generateCloze({ seed: 7 })).toEqual(generateCloze({ seed: 7 }));
    const a = generateCloze({ seed: 7 }).map((r) => r.prompt);
    const b = generateCloze({ seed: 8 }).map((r) => r.prompt);
    expect(a).not.toEqual(b);
    expect([...a].sort()).toEqual([...b].sort());
  });

  it("in choice mode puts the gold word among distinct distractors from the text's other answers", () => {
    const rows = generateCloze({ mode: "choice", distractors: 3, answerPrefix: " ", seed: 3 }) as { prompt: string; choices: string[]; label: number }[];
    const answers = new Set((generateCloze({ seed: 3 }) as { answer: string }[]).map((r) => " " + r.answer));
    for (const r of rows) {
      expect(r.choices).toHaveLength(4);
      expect(new Set(r.choices).size).toBe(4);
      for (const c of r.choices) expect(answers.has(c)).toBe(true);
    }
    const golds = (generateCloze({ seed: 3 }) as { prompt: string; answer: string }[]);
    const byPrompt = new Map(golds.map((g) => [g.prompt, " " + g.answer]));
    expect(rows.filter((r) => byPrompt.get(r.prompt) === r.choices[r.label]).length).toBeGreaterThan(rows.length * 0.9);
    expect(new Set(rows.map((r) => r.label)).size).toBe(4);
  });

  it("the built-in corpus gives enough rows for a 100-sample adaptation set and a test set", () => {
    expect(splitStories(BUILTIN_STORIES).length).toBeGreaterThanOrEqual(20);
    const rows = generateCloze() as { answer: string }[];
    expect(rows.length).toBeGreaterThan(300);
    for (const r of rows) expect(isContentWord(r.answer)).toBe(true);
    expect(generateCloze({ positions: "last", limit: 50 })).toHaveLength(50);
  });

  it("writes JSONL the generic loader reads back row for row", () => {
    const rows = generateCloze({ mode: "choice", limit: 20 });
    const path = files.write("cloze.jsonl", clozeJsonl(rows));
    const d = loadDataset(path);
    expect(d.protocol).toBe("choice");
    expect(d.rows.map(({ line: _, ...r }) => r)).toEqual(rows);
  });

  it("refuses text without usable sentences and more distractors than answers", () => {
    expect(failure(() => generateCloze({ text: "Hi. Yes." })).message).toMatch(/yields no items/);
    expect(failure(() => generateCloze({ text: STORY, mode: "choice", distractors: 6 })).message).toMatch(/distinct answers \(6\)/);
  });
});
