// Reading native dataset files: a file or a directory of known file names, JSON arrays, JSON Lines and TSV, with file+row in every error.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { AnswerRow, ChoiceRow, Dataset } from "../dataset.ts";
import { invalid, type NativeRecord } from "./fields.ts";

/**
 * The files to read for `path`: the file itself, or — for a directory — those of `names` it holds,
 * in the order given (at least one must exist).
 */
export function inputFiles(path: string, names: readonly string[], dataset: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new C2iError(ErrorCode.NOT_FOUND, `${dataset}: cannot read ${path}: ${(e as Error).message}; give the native file or a directory holding ${names.join(" or ")}`, { cause: e });
  }
  if (!isDir) return [path];
  const found = names.map((n) => join(path, n)).filter((f) => existsSync(f));
  if (found.length === 0) {
    throw new C2iError(ErrorCode.NOT_FOUND, `${dataset}: directory ${path} holds none of ${names.join(", ")}; give one of these files (see docs/datasets.md)`);
  }
  return found;
}

/** The file's text, without a leading byte-order mark (TruthfulQA.csv starts with one). */
export function readText(file: string): string {
  try {
    return readFileSync(file, "utf8").replace(/^\ufeff/, "");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? ErrorCode.NOT_FOUND : ErrorCode.DATASET_INVALID;
    throw new C2iError(code, `cannot read dataset file ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** A whole-file JSON document. */
export function readJson(file: string): unknown {
  const text = readText(file);
  if (text.trim().length === 0) throw invalid(file, "the file is empty; expected a JSON document");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(file, `not valid JSON (${(e as Error).message})`);
  }
}

/** The records of a JSON array (`file record N`, 1-based). */
export function jsonArrayRecords(file: string, value: unknown, what: string): NativeRecord[] {
  if (!Array.isArray(value)) throw invalid(file, `expected a JSON array of ${what}`);
  return value.map((v, i) => ({ value: v, where: `${file} record ${i + 1}`, line: i + 1 }));
}

/** One JSON value per non-blank line (`file:line`). */
export function jsonlRecords(file: string): NativeRecord[] {
  const lines = readText(file).split("\n");
  const out: NativeRecord[] = [];
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text.length === 0) return;
    const where = `${file}:${i + 1}`;
    try {
      out.push({ value: JSON.parse(text), where, line: i + 1 });
    } catch (e) {
      throw invalid(where, `not valid JSON (${(e as Error).message})`);
    }
  });
  return out;
}

/** JSON Lines for `.jsonl` files, else a JSON array (what `datasets`' `to_json` and the original releases write). */
export function recordsOf(file: string, what: string): NativeRecord[] {
  return file.endsWith(".jsonl") ? jsonlRecords(file) : jsonArrayRecords(file, readJson(file), what);
}

/** Tab-separated rows (no quoting, as in GLUE), blank lines skipped; `value` is the array of cells. */
export function tsvRecords(file: string): NativeRecord[] {
  const out: NativeRecord[] = [];
  readText(file).split("\n").forEach((raw, i) => {
    const text = raw.replace(/\r$/, "");
    if (text.trim().length === 0) return;
    out.push({ value: text.split("\t"), where: `${file}:${i + 1}`, line: i + 1 });
  });
  return out;
}

function nonEmpty<R>(rows: R[], files: readonly string[], why: string): R[] {
  if (rows.length === 0) throw new C2iError(ErrorCode.DATASET_INVALID, `${files.join(", ")}: no rows (${why})`);
  return rows;
}

export function answerDataset(source: string, files: readonly string[], rows: AnswerRow[], why = "the file holds no records"): Dataset {
  return { source, protocol: "answer", rows: nonEmpty(rows, files, why) };
}

export function choiceDataset(source: string, files: readonly string[], rows: ChoiceRow[], why = "the file holds no records"): Dataset {
  return { source, protocol: "choice", rows: nonEmpty(rows, files, why) };
}
