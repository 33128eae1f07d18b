// Where one story ends and the next begins when stories and their paragraphs are both separated by blank lines (the TinyStories HF export).

/** A paragraph that opens a story by itself. */
const OPENER = /^(?:Once upon a time|Once,? there (?:was|were|lived)\b|Long,? (?:long )?ago\b|There once (?:was|were|lived)\b|There was once\b)/;

/** A paragraph after which a story is over: "The end.", a moral, "… happily ever after." */
const CLOSER = /^The moral of (?:the|this) story\b|\bThe [Ee]nd[.!]*$|happily ever after[.!]*$/;

/** "One sunny day, " and the like, skipped before looking for the names a paragraph starts with. */
const TIME_PREFIX = /^One(?: [a-z]+){0,3} (?:day|night|morning|afternoon|evening),? /;

/** After the leading names: "… are friends", "… were twins" — the way a story introduces its characters. */
const INTRODUCTION = /^(?:,? and [A-Z][a-z]+)? (?:are|were|is|was) (?:(?:best|good|very good|two|little|young|old) )*(?:friends|twins|brothers|sisters|brother and sister|sister and brother|siblings|cousins|neighbou?rs)\b/;

/**
 * The text's character names: capitalised words written at least once after a lower-case word or a comma (so not
 * only at sentence starts) and never written in lower case ("Lily", "Ben"; not "Mom", "Spot" if "a spot" occurs, "Suddenly").
 */
export function characterNames(paragraphs: readonly string[]): Set<string> {
  const capitalised = new Set<string>();
  const lower = new Set<string>();
  for (const p of paragraphs) {
    for (const m of p.matchAll(/(?<=[a-z,] )[A-Z][a-z]+\b/g)) capitalised.add(m[0]);
    for (const m of p.matchAll(/\b[a-z]+\b/g)) lower.add(m[0]);
  }
  return new Set([...capitalised].filter((w) => !lower.has(w.toLowerCase())));
}

/** The names a paragraph starts with ("Lily", "Lily and Ben", "One day, Tom"), and what follows them. */
function leadingNames(paragraph: string, names: ReadonlySet<string>): { names: string[]; rest: string } {
  const p = paragraph.replace(TIME_PREFIX, "");
  const m = /^([A-Z][a-z]+)(?:['’]s)?/.exec(p);
  if (!m || !names.has(m[1]!)) return { names: [], rest: p };
  const rest = p.slice(m[0].length);
  const second = /^,? and ([A-Z][a-z]+)\b/.exec(rest);
  return { names: second && names.has(second[1]!) ? [m[1]!, second[1]!] : [m[1]!], rest };
}

const wordsOf = (text: string): Set<string> => new Set(text.match(/[A-Za-z]+/g) ?? []);

/**
 * Groups paragraphs into stories. A paragraph starts a new story when
 *   1. it opens with a story opener ("Once upon a time", "Once there was", "Long ago", "There once was"), or
 *   2. the paragraph before it closes a story ("The end.", "The moral of the story …", "… happily ever after."), or
 *   3. it starts (after "One [sunny] day,") with a character name and one of its leading names has not occurred in
 *      the story so far, or those names are being introduced ("Lily and Ben are twins.").
 * Names are `characterNames` of the whole text. Known failures: a story that starts otherwise ("It was a sunny day…",
 * "Mummy and Daddy…") or with the previous story's characters is merged into the previous story; a paragraph that
 * brings in a new named character at its start ("Max came running.") starts a new story too early.
 */
export function groupParagraphs(paragraphs: readonly string[]): string[][] {
  const names = characterNames(paragraphs);
  const stories: string[][] = [];
  let current: string[] = [];
  let seen = new Set<string>();
  paragraphs.forEach((p, i) => {
    if (current.length > 0 && startsStory(p, paragraphs[i - 1]!, seen, names)) {
      stories.push(current);
      current = [];
      seen = new Set();
    }
    current.push(p);
    for (const w of wordsOf(p)) seen.add(w);
  });
  if (current.length > 0) stories.push(current);
  return stories;
}

function startsStory(p: string, previous: string, seen: ReadonlySet<string>, names: ReadonlySet<string>): boolean {
  if (OPENER.test(p) || CLOSER.test(previous)) return true;
  const lead = leadingNames(p, names);
  return lead.names.length > 0 && (lead.names.some((n) => !seen.has(n)) || INTRODUCTION.test(lead.rest));
}
