// Field checks for native dataset records: every failure is DATASET_INVALID naming the file and the row.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { previewJson } from "../../../common/preview.ts";

/** One native record and where it came from (`file:line` for JSONL/TSV, `file record N` for JSON arrays). */
export interface NativeRecord {
  value: unknown;
  where: string;
  /** 1-based line (JSONL, TSV) or record number (JSON array): what `AnswerRow.line`/`ChoiceRow.line` hold. */
  line: number;
}

export function invalid(where: string, what: string): C2iError {
  return new C2iError(ErrorCode.DATASET_INVALID, `${where}: ${what}`);
}

export function asObject(value: unknown, where: string, shape: string): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw invalid(where, `expected a JSON object ${shape}, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `${typeof value} ${previewJson(value, 40)}`;
}

/** A string field; empty (after trimming) is an error unless `allowEmpty`. */
export function stringField(obj: Record<string, unknown>, key: string, where: string, allowEmpty = false): string {
  const v = obj[key];
  if (v === undefined) throw invalid(where, `missing field "${key}"`);
  if (typeof v !== "string") throw invalid(where, `field "${key}" must be a string, got ${describe(v)}`);
  if (!allowEmpty && v.trim().length === 0) throw invalid(where, `field "${key}" is empty`);
  return v;
}

/** An integer field, optionally one of `allowed`. */
export function integerField(obj: Record<string, unknown>, key: string, where: string, allowed?: readonly number[]): number {
  const v = obj[key];
  if (v === undefined) throw invalid(where, `missing field "${key}"`);
  if (typeof v !== "number" || !Number.isInteger(v)) throw invalid(where, `field "${key}" must be an integer, got ${describe(v)}`);
  if (allowed && !allowed.includes(v)) throw invalid(where, `field "${key}" must be one of ${allowed.join(", ")}, got ${v}`);
  return v;
}

export function objectField(obj: Record<string, unknown>, key: string, where: string): Record<string, unknown> {
  const v = obj[key];
  if (v === undefined) throw invalid(where, `missing field "${key}"`);
  return asObject(v, `${where} field "${key}"`, "");
}

/** An array of strings (each non-empty unless `allowEmpty`). */
export function stringArrayField(obj: Record<string, unknown>, key: string, where: string, allowEmpty = false): string[] {
  const v = obj[key];
  if (v === undefined) throw invalid(where, `missing field "${key}"`);
  if (!Array.isArray(v)) throw invalid(where, `field "${key}" must be an array of strings, got ${describe(v)}`);
  v.forEach((s, i) => {
    if (typeof s !== "string") throw invalid(where, `field "${key}"[${i}] must be a string, got ${describe(s)}`);
    if (!allowEmpty && s.trim().length === 0) throw invalid(where, `field "${key}"[${i}] is empty`);
  });
  return v as string[];
}

/** `text` ending in "." or "?", else with `mark` appended (LASER's prompts close unterminated text this way). */
export function terminated(text: string, mark: string): string {
  const t = text.trim();
  return t.endsWith(".") || t.endsWith("?") ? t : t + mark;
}
