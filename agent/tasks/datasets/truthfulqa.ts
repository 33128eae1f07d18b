// TruthfulQA as LASER's pointwise true/false pairs: every mc2 answer becomes "<question> <answer>.Is this statement true or false?".
import type { ChoiceRow } from "../dataset.ts";
import { previewJson } from "../../../common/preview.ts";
import { csvRecords } from "./csv.ts";
import { asObject, invalid, objectField, stringField, type NativeRecord } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { choiceDataset, inputFiles, recordsOf } from "./source.ts";
import { compileTemplate } from "./template.ts";

const SHAPE = `{"question", "mc2_targets": {"<answer>": 1|0, …}} (mc_task.json) or {"question", "mc2_targets": {"choices": [...], "labels": [1|0, …]}} (Hugging Face rows)`;
/** Label index: 0 false, 1 true (LASER's label). */
const CHOICES = [" false", " true"] as const;
const CSV = "TruthfulQA.csv";
const CSV_COLUMNS = ["Question", "Correct Answers", "Incorrect Answers"] as const;

interface Question {
  question: string;
  answers: string[];
  labels: number[];
  line: number;
}

/** mc2 answers and labels from either JSON shape. */
function mc2(record: Record<string, unknown>, where: string): { answers: string[]; labels: number[] } {
  const targets = objectField(record, "mc2_targets", where);
  const at = `${where} mc2_targets`;
  let answers: string[];
  let labels: unknown[];
  if (Array.isArray(targets.choices) || Array.isArray(targets.labels)) {
    if (!Array.isArray(targets.choices) || !Array.isArray(targets.labels)) throw invalid(at, `needs both "choices" and "labels" arrays`);
    answers = targets.choices as unknown[] as string[];
    labels = targets.labels as unknown[];
    answers.forEach((a, i) => {
      if (typeof a !== "string") throw invalid(at, `choices[${i}] must be a string, got ${previewJson(a)}`);
    });
  } else {
    answers = Object.keys(targets);
    labels = Object.values(targets);
  }
  if (answers.length === 0) throw invalid(at, "has no answers");
  if (answers.length !== labels.length) throw invalid(at, `${answers.length} choices but ${labels.length} labels`);
  labels.forEach((l, i) => {
    if (l !== 0 && l !== 1) throw invalid(at, `label of answer ${i + 1} must be 1 (true) or 0 (false), got ${previewJson(l)}`);
  });
  return withoutEmpty(answers, labels as number[], at);
}

/** Empty answers (the 2025-01 files have 22, left by a trailing ";" upstream) are dropped; a true answer must remain (LASER asserts one). */
function withoutEmpty(answers: string[], labels: number[], where: string): { answers: string[]; labels: number[] } {
  const keep = answers.map((a, i) => i).filter((i) => answers[i]!.trim().length > 0);
  const kept = { answers: keep.map((i) => answers[i]!), labels: keep.map((i) => labels[i]!) };
  if (!kept.labels.includes(1)) throw invalid(where, "has no true answer (LASER requires at least one)");
  return kept;
}

function fromJson(records: NativeRecord[]): Question[] {
  return records.map(({ value, where, line }) => {
    const record = asObject(value, where, SHAPE);
    return { question: stringField(record, "question", where), ...mc2(record, where), line };
  });
}

/** TruthfulQA.csv: the "Correct Answers" (true) then the "Incorrect Answers" (false), each list split at ";". */
function fromCsv(records: NativeRecord[]): Question[] {
  return records.map(({ value, where, line }) => {
    const record = value as Record<string, string>;
    for (const column of CSV_COLUMNS) if (record[column] === undefined) throw invalid(where, `missing column "${column}" (${CSV} has ${CSV_COLUMNS.join(", ")}, …)`);
    const question = stringField(record, "Question", where).trim();
    const split = (column: string) => record[column]!.split(";").map((a) => a.trim());
    const correct = split("Correct Answers");
    const incorrect = split("Incorrect Answers");
    return { question, ...withoutEmpty([...correct, ...incorrect], [...correct.map(() => 1), ...incorrect.map(() => 0)], where), line };
  });
}

export const truthfulqa: NamedDataset = {
  name: "truthfulqa",
  title: "TruthfulQA, pointwise true/false (Lin et al., 2022)",
  protocol: "choice",
  expects:
    `mc_task.json (the TruthfulQA repository's data/mc_task.json, a JSON array) or validation.jsonl (Hugging Face truthful_qa "multiple_choice" validation rows as JSON Lines) — records ${SHAPE}; ` +
    `or the repository's ${CSV} (columns ${CSV_COLUMNS.join(", ")}; answers separated by ";"); a directory holding one of them (in this order)`,
  template: "{statement}Is this statement true or false? This statement is",
  placeholders: {
    question: "the question",
    answer: "one mc2 answer",
    statement: `question + " " + answer, with "." appended unless it ends in "." (LASER puts no space before "Is")`,
  },
  choices: CHOICES,
  gold: `one row per mc2 answer (${CSV}: per correct, then incorrect answer): label 1 → " true", 0 → " false"; empty answers skipped`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? truthfulqa.template, Object.keys(truthfulqa.placeholders), truthfulqa.name);
    const files = inputFiles(path, ["mc_task.json", "validation.jsonl", CSV], truthfulqa.name).slice(0, 1);
    const file = files[0]!;
    const questions = file.toLowerCase().endsWith(".csv") ? fromCsv(csvRecords(file)) : fromJson(recordsOf(file, `TruthfulQA records ${SHAPE}`));
    const rows: ChoiceRow[] = [];
    for (const { question, answers, labels, line } of questions) {
      answers.forEach((answer, j) => {
        let statement = question + " " + answer;
        if (!statement.endsWith(".")) statement += ".";
        rows.push({ prompt: render({ question, answer, statement }), choices: [...CHOICES], label: labels[j]!, line });
      });
    }
    return choiceDataset(path, files, rows);
  },
};
