// Story text files as distributed: one story per line, blank-line blocks, the HF export (inferred story boundaries), mojibake repaired.
import { describe, expect, it } from "vitest";
import { BUILTIN_STORIES } from "../../agent/demo/cloze/corpus.ts";
import { generateCloze } from "../../agent/demo/cloze/generate.ts";
import { groupParagraphs } from "../../agent/demo/cloze/story-boundaries.ts";
import { detectStoryTextFormat, readStoryText, SKIP_REASONS } from "../../agent/demo/cloze/story-text.ts";
import { splitSentences } from "../../agent/demo/cloze/words.ts";
import { failure } from "./fixtures.ts";

/** Paragraphs as the HF export writes them: every paragraph, of every story, separated by a blank line. */
const HF_EXPORT = [
  "Once upon a time, there was a cat named Tom. Tom liked milk.",
  "He drank it every day. â€œYum!â€ said Tom.",
  "The end.",
  "Lily and Ben are twins. They throw a ball to Tom, and Lily laughs.",
  "They throw it high.",
  "Lily and Ben are friends. They bake a cake.",
  "Lily puts it in the oven.",
  "One day, Sam went to the park. Mia waved at Sam, and Sam flew a kite.",
  "It was a sunny day. The ducks swam in the pond.",
].join("\n\n") + "\n";

describe("readStoryText", () => {
  it("reads one story per line, ignoring blank lines, a BOM and CRLF endings", () => {
    const t = readStoryText("\ufeffA cat sat on the mat. It slept.\r\nA dog ran in the park! It barked.\r\n\r\n", "lines");
    expect(t).toEqual({ format: "lines", stories: ["A cat sat on the mat. It slept.", "A dog ran in the park! It barked."], skipped: {}, unfinished: 0, repaired: 0 });
    expect(detectStoryTextFormat("One. Two.\nThree. Four.\n")).toBe("lines");
  });

  it("reads blank-line blocks as whole stories, and the built-in corpus gives the same cloze rows as before", () => {
    const t = readStoryText(BUILTIN_STORIES);
    expect(t.format).toBe("blocks");
    expect(t.stories).toHaveLength(24);
    expect(generateCloze({ stories: t.stories, seed: 4 })).toEqual(generateCloze({ seed: 4 }));
    expect(failure(() => generateCloze({ text: BUILTIN_STORIES, stories: t.stories })).message).toMatch(/not both/);
  });

  it("detects the HF export by its paragraphs that continue a story, and groups them into stories", () => {
    expect(detectStoryTextFormat(HF_EXPORT)).toBe("hf-export");
    const t = readStoryText(HF_EXPORT);
    expect(t.format).toBe("hf-export");
    expect(t.repaired).toBe(2);
    expect(t.stories).toEqual([
      "Once upon a time, there was a cat named Tom. Tom liked milk. He drank it every day. “Yum!” said Tom. The end.",
      "Lily and Ben are twins. They throw a ball to Tom, and Lily laughs. They throw it high.",
      "Lily and Ben are friends. They bake a cake. Lily puts it in the oven.",
      // Known limit: a story opening without an opener or a new name ("It was a sunny day.") joins the one before.
      "One day, Sam went to the park. Mia waved at Sam, and Sam flew a kite. It was a sunny day. The ducks swam in the pond.",
    ]);
  });

  it("starts a story at an opener, after a closing paragraph, and at a name the story has not had", () => {
    const stories = (paragraphs: string[]) => groupParagraphs(paragraphs).map((s) => s.length);
    expect(stories(["Tim ran home, said Tim.", "Once there was a frog.", "It hopped."])).toEqual([1, 2]);
    expect(stories(["A frog sat.", "The moral of the story is to share.", "A frog hopped."])).toEqual([2, 1]);
    expect(stories(["Max ran to Tim.", "Tim laughed at Max.", "Ann came, said Ann."])).toEqual([2, 1]);
    // Unnamed capitalised words ("Mom" is also written "mom") do not start a story.
    expect(stories(["Tim saw mom, said Tim.", "Mom smiled at Tim."])).toEqual([2]);
  });

  it("skips stories without a complete sentence and repeated stories, saying why, and counts unfinished endings", () => {
    const t = readStoryText("A fox ran. It hid.\nno punctuation here\nA fox ran. It hid.\nThe owl sang. Then it\n", "lines");
    expect(t.stories).toEqual(["A fox ran. It hid.", "The owl sang. Then it"]);
    expect(t.skipped).toEqual({ [SKIP_REASONS.noSentence]: 1, [SKIP_REASONS.duplicate]: 1 });
    expect(t.unfinished).toBe(1);
    expect(splitSentences(t.stories[1]!)).toEqual(["The owl sang."]);
  });

  it("ends sentences at a mark before a space, keeping closing quotes, and keeps curly apostrophes inside words", () => {
    expect(splitSentences("He said, “Stop!” Ann didn’t stop. 'Go,' she said.")).toEqual(["He said, “Stop!”", "Ann didn’t stop.", "'Go,' she said."]);
    expect(splitSentences('She said, "Yes!". Then it...but ok. End')).toEqual(['She said, "Yes!".', "Then it...but ok."]);
    const rows = generateCloze({ stories: ["Ann said she didn’t like the cold rain."] }) as { answer: string }[];
    expect(rows.map((r) => r.answer).sort()).toEqual(["cold", "like", "rain"]);
  });

  it("refuses text that holds no usable story", () => {
    expect(failure(() => readStoryText("\n\n  \n")).message).toMatch(/holds no story with a complete sentence/);
  });
});
