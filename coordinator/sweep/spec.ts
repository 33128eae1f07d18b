// A sweep: a models × datasets grid and/or listed cells, each cell one job spec — parsed and validated before any job starts.
import { parse as parseYaml } from "yaml";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";
import type { SearchSettings } from "../plan/settings.ts";
import { resolveSpec, type JobSpec, type JobSpecInput } from "../plan/spec.ts";

/** What one cell may set; anything unset comes from the sweep's defaults, then the command line. */
export type CellFields = Partial<JobSpecInput>;

export interface SweepCellInput extends CellFields {
  /** Folder name of the cell under the sweep's output. @default "<model>--<dataset>" (their last path parts, made filesystem-safe) */
  name?: string;
}

/** A sweep file (JSON or YAML), or the same built from `--models`/`--datasets`. */
export interface SweepInput {
  /** Fields every cell gets unless it sets them; `settings` merge field by field. */
  defaults?: CellFields;
  /** With `datasets`: one cell per (model, dataset). */
  models?: string[];
  datasets?: string[];
  /** Cells listed one by one (after the grid's). */
  cells?: SweepCellInput[];
}

export interface SweepCell {
  name: string;
  /** What is submitted. */
  input: JobSpecInput;
  /** The same, every default resolved: equal specs mean equal results. */
  spec: JobSpec;
}

function bad(where: string, message: string): never {
  throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${where}: ${message}`);
}

const KEYS = new Set(["defaults", "models", "datasets", "cells"]);
const CELL_KEYS = new Set(["name", "model", "dataset", "strategy", "task", "settings", "factorization", "clustering"]);

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== "string" || s.trim() === "")) bad(where, "must be a non-empty list of non-empty strings");
  return v as string[];
}

function cellFields(v: unknown, where: string): SweepCellInput {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(where, "must be a mapping of job spec fields");
  for (const k of Object.keys(v)) if (!CELL_KEYS.has(k)) bad(where, `unknown field "${k}" (known: ${[...CELL_KEYS].join(", ")})`);
  const c = v as Record<string, unknown>;
  for (const k of ["name", "model", "dataset", "strategy", "factorization", "clustering"]) {
    if (c[k] !== undefined && typeof c[k] !== "string") bad(`${where}.${k}`, `must be a string, got ${previewJson(c[k])}`);
  }
  for (const k of ["settings", "task"]) {
    if (c[k] !== undefined && (typeof c[k] !== "object" || c[k] === null || Array.isArray(c[k]))) bad(`${where}.${k}`, "must be a mapping");
  }
  return c as SweepCellInput;
}

/** Reads a sweep file: JSON when it starts with "{", YAML otherwise; every field checked, naming the file. */
export function parseSweepFile(text: string, file: string): SweepInput {
  let raw: unknown;
  try {
    raw = text.trimStart().startsWith("{") ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    bad(file, `not valid JSON or YAML (${(e as Error).message.split("\n")[0]})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad(file, "must be a mapping with models/datasets and/or cells");
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.has(k)) bad(file, `unknown field "${k}" (known: ${[...KEYS].join(", ")})`);
  const out: SweepInput = {};
  if (r.defaults !== undefined) {
    const { name, ...defaults } = cellFields(r.defaults, `${file}: defaults`);
    if (name !== undefined) bad(`${file}: defaults`, "cannot set a name");
    out.defaults = defaults;
  }
  if (r.models !== undefined) out.models = stringList(r.models, `${file}: models`);
  if (r.datasets !== undefined) out.datasets = stringList(r.datasets, `${file}: datasets`);
  if (r.cells !== undefined) {
    if (!Array.isArray(r.cells)) bad(`${file}: cells`, "must be a list");
    out.cells = r.cells.map((c, i) => cellFields(c, `${file}: cells[${i}]`));
  }
  return out;
}

/** "data/models/gpt2" → "gpt2"; "fever:/data/paper_dev.jsonl" → "fever-paper_dev"; safe as a folder name. */
export function slug(ref: string): string {
  const [loader, path] = ref.includes(":") && !/^[A-Za-z]:[\\/]/.test(ref) ? [ref.slice(0, ref.indexOf(":")), ref.slice(ref.indexOf(":") + 1)] : ["", ref];
  const base = path.replace(/[\\/]+$/, "").split(/[\\/]/).pop()!.replace(/\.(jsonl|json|tsv|csv)$/i, "");
  const name = loader && loader !== "hf" ? `${loader}-${base}` : base;
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "cell";
}

/**
 * Short names for a list of references: each one's `slug`, or, where two would be equal ("a/model", "b/model"),
 * as many trailing path parts as it takes to tell them apart ("a_model", "b_model").
 */
export function shortNames(refs: readonly string[]): Map<string, string> {
  const unique = [...new Set(refs)];
  const parts = (ref: string) => ref.replace(/[\\/]+$/, "").split(/[\\/]/);
  for (let depth = 1; ; depth++) {
    const names = unique.map((r) => {
      const p = parts(r);
      return depth === 1 ? slug(r) : slug(p.slice(-depth).join("_"));
    });
    const longest = Math.max(...unique.map((r) => parts(r).length));
    if (new Set(names).size === names.length || depth >= longest) return new Map(unique.map((r, i) => [r, names[i]!]));
  }
}

function merge(base: CellFields, over: CellFields): CellFields {
  const settings: Partial<SearchSettings> = { ...base.settings, ...over.settings };
  const task = base.task || over.task ? { ...base.task, ...over.task } : undefined;
  return { ...base, ...over, ...(Object.keys(settings).length > 0 ? { settings } : {}), ...(task ? { task } : {}) };
}

/**
 * The cells of a sweep, in order: the grid (models outer, datasets inner), then the listed cells. Each is
 * `fromFlags` ← file defaults ← the cell's own fields, validated as a job spec. Names must be unique folder names.
 */
export function planSweep(input: SweepInput, fromFlags: CellFields = {}, source = "sweep"): SweepCell[] {
  if ((input.models === undefined) !== (input.datasets === undefined)) bad(source, "models and datasets go together (one cell per pair)");
  const listed: SweepCellInput[] = [];
  for (const model of input.models ?? []) for (const dataset of input.datasets ?? []) listed.push({ model, dataset });
  listed.push(...(input.cells ?? []));
  if (listed.length === 0) bad(source, "no cells: give models and datasets, or cells");
  const defaults = merge(fromFlags, input.defaults ?? {});
  const modelNames = shortNames(listed.map((c) => c.model ?? defaults.model ?? ""));
  const datasetNames = shortNames(listed.map((c) => c.dataset ?? defaults.dataset ?? ""));
  const seen = new Set<string>();
  return listed.map(({ name, ...fields }, i) => {
    const merged = merge(defaults, fields);
    if (!merged.model || !merged.dataset) bad(`${source}: cell ${i + 1}`, "needs a model and a dataset");
    const cellName = name ?? `${modelNames.get(merged.model)}--${datasetNames.get(merged.dataset)}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(cellName)) bad(`${source}: cell ${i + 1}`, `name "${cellName}" must be a folder name (letters, digits, . _ -)`);
    if (seen.has(cellName)) bad(`${source}: cell ${i + 1}`, `name "${cellName}" is used twice; give the cells distinct names`);
    seen.add(cellName);
    const jobInput = merged as JobSpecInput;
    try {
      return { name: cellName, input: jobInput, spec: resolveSpec(jobInput) };
    } catch (e) {
      bad(`${source}: cell "${cellName}"`, (e as Error).message);
    }
  });
}
