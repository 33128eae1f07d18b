// Splits story text into sentences and words, and decides which words a cloze item may ask for (content words).

/** Function words, auxiliaries and pronouns: never a cloze answer (too easy, or not about the story). */
const FUNCTION_WORDS = new Set(
  (
    "a an the and or but so if then than that this these those there here it its they them their he him his she her hers we us our you your " +
    "i me my mine is are was were be been being am do does did have has had will would can could shall should may might must not no yes " +
    "to of in on at by for with from up down out off over under into onto about as all any some every each one two three very too also " +
    "just when while what who whom which where why how again back away after before until because said says"
  ).split(" "),
);

export interface StoryWord {
  /** The word as written (letters and apostrophes). */
  text: string;
  /** Character offset of the word inside its sentence. */
  start: number;
}

/**
 * A story's sentences: each ends at ".", "!" or "?" followed by a space (or the end), and keeps the marks and any closing
 * quotes or brackets right after them (`"Hi!" Tom said.` → `"Hi!"`, `Tom said.`; `"Yes!".` stays whole; `it...but` is
 * not a sentence end); text after the last mark (an unfinished sentence) is dropped.
 */
export function splitSentences(story: string): string[] {
  return story.replace(/\s+/g, " ").trim().match(/\S.*?[.!?]+(?:["”’')\]]+[.!?]*)*(?= |$)/g) ?? [];
}

/** Stories separated by blank lines (the built-in corpus), each as its sentences. */
export function splitStories(text: string): string[][] {
  return text
    .replace(/\r\n/g, "\n")
    .split(/\n\s*\n/)
    .map(splitSentences)
    .filter((sentences) => sentences.length > 0);
}

/** Words: letters with inner apostrophes, straight or curly ("didn't", "didn’t"). */
export function wordsOf(sentence: string): StoryWord[] {
  return [...sentence.matchAll(/[A-Za-z](?:[A-Za-z']|’(?=[A-Za-z]))*/g)].map((m) => ({ text: m[0], start: m.index! }));
}

/** Lower-case letters only, ≥ 3 of them, not a function word; capitalised words (names, sentence starts) are left out. */
export function isContentWord(word: string): boolean {
  return /^[a-z]{3,}$/.test(word) && !FUNCTION_WORDS.has(word);
}
