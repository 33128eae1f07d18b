// `c2i datasets`: the named datasets and their native files; `show` renders a dataset's prompts; `cloze` writes the story cloze task.
import { readFileSync, writeFileSync } from "node:fs";
import { BUILTIN_STORIES } from "../../agent/demo/cloze/corpus.ts";
import { clozeJsonl, generateCloze } from "../../agent/demo/cloze/generate.ts";
import { isStoryTextFormat, readStoryText, STORY_TEXT_FORMATS, type StoryText } from "../../agent/demo/cloze/story-text.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { namedDatasets } from "../../agent/tasks/datasets/registry.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Command } from "../command.ts";
import { output, parseFlags, parseInteger, requireString } from "../command.ts";

const usage = `usage: c2i datasets [--json]
       c2i datasets show REF [--template T] [--rows N] [--json]
       c2i datasets cloze --out FILE [--text FILE [--text-format auto|lines|blocks|hf-export]] [--seed S] [--mode generative|choice] [--positions all|last]
                          [--distractors K] [--answer-prefix P] [--limit N] [--json]
  (no subcommand)  list the named datasets: name, protocol, expected native file(s), default prompt template, placeholders
  show REF         load REF (name:path, or a JSONL path) and print its row count and first rows as the model will see them
    --template T   override the named dataset's prompt template ({placeholder}s as listed; {{ }} for literal braces)
    --rows N       rows to print (default 3)
  cloze            write a deterministic cloze task (JSONL, the generic dataset format) from story text
    --text FILE    story text (default: the built-in TinyStories-style corpus); mojibake such as "â€™" is repaired
    --text-format  auto (default) | lines: one story per line | blocks: stories separated by blank lines |
                   hf-export: paragraphs separated by blank lines, story boundaries inferred (docs/datasets.md)
    --seed S       row order and distractors (default 0)
    --mode         generative (default) or choice;  --positions all (default) | last: which content words are asked
    --distractors  wrong choices per item in choice mode (default 3)
    --answer-prefix  text before each answer: "" (default; SentencePiece/Llama tokenizers) or " " (GPT-2 BPE)
    --limit N      keep at most N rows
  --json           print JSON`;

function list(json: boolean): number {
  const rows = namedDatasets.map((d) => ({
    name: d.name, title: d.title, protocol: d.protocol, expects: d.expects, template: d.template,
    placeholders: d.placeholders, ...(d.choices ? { choices: d.choices } : {}), ...(d.answer ? { answer: d.answer } : {}), gold: d.gold,
  }));
  output(json, rows, () =>
    [
      "named datasets (--dataset <name>:<file or directory>; a plain path is generic JSONL; details in docs/datasets.md)",
      ...rows.map((d) =>
        [
          ``,
          `${d.name}  [${d.protocol}]  ${d.title}`,
          `  file:     ${d.expects}`,
          `  template: ${JSON.stringify(d.template)}   placeholders: ${Object.keys(d.placeholders).map((p) => `{${p}}`).join(" ")}`,
          d.choices ? `  choices:  ${d.choices.map((c) => JSON.stringify(c)).join(" ")}` : `  answer:   ${d.answer}`,
        ].join("\n"),
      ),
    ].join("\n"),
  );
  return 0;
}

function show(argv: string[]): number {
  const { values, positionals } = parseFlags(argv, { template: { type: "string" }, rows: { type: "string" }, json: { type: "boolean" } });
  const ref = positionals[0];
  if (!ref || positionals.length > 1) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `datasets show takes one dataset reference\n${usage}`);
  const template = values.template as string | undefined;
  const n = values.rows === undefined ? 3 : parseInteger(values.rows as string, "rows");
  const dataset = loadDataset(ref, undefined, template === undefined ? {} : { template });
  const first = dataset.rows.slice(0, n);
  output(values.json === true, { source: dataset.source, protocol: dataset.protocol, rows: dataset.rows.length, first }, () =>
    [
      `${dataset.source}: ${dataset.rows.length} ${dataset.protocol} rows`,
      ...first.map((r) =>
        "choices" in r
          ? `  [${r.line}] ${JSON.stringify(r.prompt)}\n      choices ${r.choices.map((c, i) => (i === r.label ? `*${JSON.stringify(c)}*` : JSON.stringify(c))).join(" ")}`
          : `  [${r.line}] ${JSON.stringify(r.prompt)}\n      answer ${JSON.stringify(r.answer)}`,
      ),
    ].join("\n"),
  );
  return 0;
}

function cloze(argv: string[]): number {
  const { values } = parseFlags(argv, {
    out: { type: "string" }, text: { type: "string" }, "text-format": { type: "string" }, seed: { type: "string" }, mode: { type: "string" }, positions: { type: "string" },
    distractors: { type: "string" }, "answer-prefix": { type: "string" }, limit: { type: "string" }, json: { type: "boolean" },
  });
  const out = requireString(values, "out");
  const mode = (values.mode as string | undefined) ?? "generative";
  if (mode !== "generative" && mode !== "choice") throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--mode must be generative or choice, got "${mode}"`);
  const positions = (values.positions as string | undefined) ?? "all";
  if (positions !== "all" && positions !== "last") throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--positions must be all or last, got "${positions}"`);
  const textFile = values.text as string | undefined;
  const format = (values["text-format"] as string | undefined) ?? "auto";
  if (!isStoryTextFormat(format)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--text-format must be one of ${STORY_TEXT_FORMATS.join(", ")}, got "${format}"`);
  if (textFile === undefined && values["text-format"] !== undefined) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "--text-format applies to a --text file");
  const storyText = textFile === undefined ? readStoryText(BUILTIN_STORIES, "blocks") : readStoryText(readStoryFile(textFile), format);
  const int = (flag: string, min: number) => (values[flag] === undefined ? undefined : parseInteger(values[flag] as string, flag, min));
  const rows = generateCloze({
    stories: storyText.stories,
    seed: int("seed", 0) ?? 0,
    mode,
    positions,
    ...(values.distractors !== undefined ? { distractors: int("distractors", 1)! } : {}),
    ...(values["answer-prefix"] !== undefined ? { answerPrefix: values["answer-prefix"] as string } : {}),
    ...(values.limit !== undefined ? { limit: int("limit", 1)! } : {}),
  });
  writeFileSync(out, clozeJsonl(rows));
  const source = textFile ?? "built-in corpus";
  const { format: read, stories, skipped, unfinished, repaired } = storyText;
  output(
    values.json === true,
    { out, rows: rows.length, mode, source, format: read, stories: stories.length, skipped, unfinished, mojibakeRepaired: repaired },
    () => [`wrote ${out}: ${rows.length} ${mode} cloze rows from ${textFile ?? "the built-in corpus"}`, `  ${storySummary(storyText)}`].join("\n"),
  );
  return 0;
}

function readStoryFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new C2iError(ErrorCode.NOT_FOUND, `--text ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** What was read: "read as hf-export: 926 stories used, 0 skipped, 6 end in an unfinished sentence (…), 234 mojibake sequences repaired". */
function storySummary(t: StoryText): string {
  const skipped = Object.entries(t.skipped);
  const total = skipped.reduce((n, [, k]) => n + k, 0);
  return [
    `read as ${t.format}: ${t.stories.length} stories used`,
    `${total} skipped${total > 0 ? ` (${skipped.map(([why, k]) => `${why}: ${k}`).join("; ")})` : ""}`,
    `${t.unfinished} end in an unfinished sentence (which gives no items)`,
    `${t.repaired} mojibake sequences repaired`,
  ].join(", ");
}

export const datasetsCommand: Command = {
  name: "datasets",
  summary: "list the paper's datasets (native formats, templates); show a dataset's prompts; write the cloze task",
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "show") return show(rest);
    if (sub === "cloze") return cloze(rest);
    const { values, positionals } = parseFlags(argv, { json: { type: "boolean" } });
    if (positionals.length > 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `unknown datasets subcommand "${positionals[0]}"\n${usage}`);
    return list(values.json === true);
  },
};
