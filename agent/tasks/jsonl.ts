// Reads a JSONL dataset and validates it row by row: every error names the file and the line.
import { readFileSync } from "node:fs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";
import type { AnswerRow, ChoiceRow, Dataset } from "./dataset.ts";

const ANSWER_SHAPE = `{"prompt": string, "answer": non-empty string}`;
const CHOICE_SHAPE = `{"prompt": string, "choices": [≥ 2 non-empty strings], "label": index of the gold choice}`;

function invalid(where: string, what: string): C2iError {
  return new C2iError(ErrorCode.DATASET_INVALID, `${where}: ${what}`);
}

function parseRow(text: string, path: string, line: number): AnswerRow | ChoiceRow {
  const where = `${path}:${line}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalid(where, `not valid JSON (${(e as Error).message})`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(where, `expected a JSON object ${ANSWER_SHAPE} or ${CHOICE_SHAPE}`);
  }
  const row = value as Record<string, unknown>;
  if (typeof row.prompt !== "string") throw invalid(where, `"prompt" must be a string`);
  const hasAnswer = "answer" in row;
  const hasChoices = "choices" in row || "label" in row;
  if (hasAnswer && hasChoices) throw invalid(where, `a row has either "answer" or "choices"+"label", not both`);
  if (hasChoices) {
    const { choices, label } = row;
    if (!Array.isArray(choices) || choices.length < 2 || choices.some((c) => typeof c !== "string" || c.length === 0)) {
      throw invalid(where, `"choices" must be an array of at least 2 non-empty strings (${CHOICE_SHAPE})`);
    }
    if (typeof label !== "number" || !Number.isInteger(label) || label < 0 || label >= choices.length) {
      throw invalid(where, `"label" must be an integer in [0, ${choices.length - 1}] (the gold choice's index), got ${previewJson(label)}`);
    }
    return { prompt: row.prompt, choices: choices as string[], label, line };
  }
  if (typeof row.answer !== "string" || row.answer.trim().length === 0) {
    throw invalid(where, `missing or empty "answer" (${ANSWER_SHAPE})`);
  }
  return { prompt: row.prompt, answer: row.answer, line };
}

/** Blank lines are skipped; every other line is one row; all rows must share one protocol. */
export function loadJsonlDataset(path: string): Dataset {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? ErrorCode.NOT_FOUND : ErrorCode.DATASET_INVALID;
    throw new C2iError(code, `cannot read dataset ${path}: ${(e as Error).message}`, { cause: e });
  }
  const answers: AnswerRow[] = [];
  const choices: ChoiceRow[] = [];
  let firstLine = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw.length === 0) continue;
    const where = `${path}:${i + 1}`;
    const row = parseRow(raw, path, i + 1);
    const isChoice = "choices" in row;
    if (firstLine === 0) firstLine = i + 1;
    if ((isChoice && answers.length > 0) || (!isChoice && choices.length > 0)) {
      const first = isChoice ? "prompt/answer" : "prompt/choices/label";
      throw invalid(where, `mixed protocols: line ${firstLine} is a ${first} row, this one is not; one file holds one protocol`);
    }
    if (isChoice) choices.push(row);
    else answers.push(row as AnswerRow);
  }
  if (answers.length === 0 && choices.length === 0) {
    throw new C2iError(ErrorCode.DATASET_INVALID, `${path}: the dataset is empty (no rows); expected one JSON object per line`);
  }
  return answers.length > 0 ? { source: path, protocol: "answer", rows: answers } : { source: path, protocol: "choice", rows: choices };
}
