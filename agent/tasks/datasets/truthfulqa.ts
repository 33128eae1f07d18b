// TruthfulQA as LASER's pointwise true/false pairs: every mc2 answer becomes "<question> <answer>.Is this statement true or false?".
import type { ChoiceRow } from "../dataset.ts";
import { asObject, invalid, objectField, stringField } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { choiceDataset, inputFiles, recordsOf } from "./source.ts";
import { compileTemplate } from "./template.ts";

const SHAPE = `{"question", "mc2_targets": {"<answer>": 1|0, …}} (mc_task.json) or {"question", "mc2_targets": {"choices": [...], "labels": [1|0, …]}} (Hugging Face rows)`;
/** Label index: 0 false, 1 true (LASER's label). */
const CHOICES = [" false", " true"] as const;

/** mc2 answers and labels from either shape. */
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
      if (typeof a !== "string" || a.trim().length === 0) throw invalid(at, `choices[${i}] must be a non-empty string, got ${JSON.stringify(a)}`);
    });
  } else {
    answers = Object.keys(targets);
    labels = Object.values(targets);
  }
  if (answers.length === 0) throw invalid(at, "has no answers");
  if (answers.length !== labels.length) throw invalid(at, `${answers.length} choices but ${labels.length} labels`);
  labels.forEach((l, i) => {
    if (l !== 0 && l !== 1) throw invalid(at, `label of answer ${i + 1} must be 1 (true) or 0 (false), got ${JSON.stringify(l)}`);
  });
  if (!labels.includes(1)) throw invalid(at, "has no true answer (LASER requires at least one)");
  return { answers, labels: labels as number[] };
}

export const truthfulqa: NamedDataset = {
  name: "truthfulqa",
  title: "TruthfulQA, pointwise true/false (Lin et al., 2022)",
  protocol: "choice",
  expects: `mc_task.json (the TruthfulQA repository's data/mc_task.json, a JSON array) or validation.jsonl (Hugging Face truthful_qa "multiple_choice" validation rows as JSON Lines) — records ${SHAPE}; a directory holding either`,
  template: "{statement}Is this statement true or false? This statement is",
  placeholders: {
    question: "the question",
    answer: "one mc2 answer",
    statement: `question + " " + answer, with "." appended unless it ends in "." (LASER puts no space before "Is")`,
  },
  choices: CHOICES,
  gold: `one row per mc2 answer: label 1 → " true", 0 → " false"`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? truthfulqa.template, Object.keys(truthfulqa.placeholders), truthfulqa.name);
    const files = inputFiles(path, ["mc_task.json", "validation.jsonl"], truthfulqa.name).slice(0, 1);
    const rows: ChoiceRow[] = [];
    for (const { value, where, line } of recordsOf(files[0]!, `TruthfulQA records ${SHAPE}`)) {
      const record = asObject(value, where, SHAPE);
      const question = stringField(record, "question", where);
      const { answers, labels } = mc2(record, where);
      answers.forEach((answer, j) => {
        let statement = question + " " + answer;
        if (!statement.endsWith(".")) statement += ".";
        rows.push({ prompt: render({ question, answer, statement }), choices: [...CHOICES], label: labels[j]!, line });
      });
    }
    return choiceDataset(path, files, rows);
  },
};
