// A job spec: what to adapt, on which data, with which strategy and settings — validated once at submission.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";
import type { TaskOptions } from "../../common/shards.ts";
import { resolveSettings, type SearchSettings } from "./settings.ts";
import { strategyNamed } from "./strategies.ts";

export interface JobSpecInput {
  /** Local checkpoint directory or `hf:<org>/<name>`. */
  model: string;
  /** Dataset reference understood by agents (e.g. a `.jsonl` path). */
  dataset: string;
  /** @default "c2i" */
  strategy?: string;
  task?: TaskOptions;
  /** Overrides of the strategy's settings. */
  settings?: Partial<SearchSettings>;
  /** svd | fwsvd | asvd: which weighting the truncations minimise their error in. @default "svd" */
  factorization?: string;
  /** blocks | ksubspaces: how a matrix's rows are split into K parts. @default "blocks" */
  clustering?: string;
}

/** Factorizations and row clusterings agents implement (agent/linalg/factorizations). */
export const FACTORIZATIONS = ["svd", "fwsvd", "asvd"] as const;
export const CLUSTERINGS = ["blocks", "ksubspaces"] as const;

/** A validated spec: every setting resolved, so the stored spec alone replans the job after a restart. */
export interface JobSpec {
  model: string;
  dataset: string;
  strategy: string;
  task?: TaskOptions;
  settings: SearchSettings;
  /** Present only when not the default "svd" (WorkRef.factorization). */
  factorization?: string;
  /** Present only when not the default "blocks" (WorkRef.clustering). */
  clustering?: string;
}

function nonEmpty(v: unknown, field: string): string {
  if (typeof v !== "string" || v.trim().length === 0) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job spec: ${field} must be a non-empty string, got ${previewJson(v)}`);
  }
  return v;
}

function oneOf(v: unknown, field: string, allowed: readonly string[]): string {
  if (typeof v !== "string" || !allowed.includes(v)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job spec: ${field} must be one of ${allowed.join(", ")}, got ${previewJson(v)}`);
  }
  return v;
}

/** Task options with their types: what agents read from WorkRef.task (the proto's TaskOptions). */
function resolveTask(v: unknown): TaskOptions {
  const bad = (field: string, what: string, got: unknown) =>
    new C2iError(ErrorCode.INVALID_ARGUMENT, `job spec: task${field} must be ${what}, got ${previewJson(got)}`);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad("", "an object {template?, lengthNormalise?, maxTokens?}", v);
  const t = v as Record<string, unknown>;
  const task: TaskOptions = {};
  for (const [key, value] of Object.entries(t)) {
    if (value === undefined) continue;
    if (key === "template") {
      if (typeof value !== "string") throw bad(".template", "a string", value);
      task.template = value;
    } else if (key === "lengthNormalise") {
      if (typeof value !== "boolean") throw bad(".lengthNormalise", "true or false", value);
      task.lengthNormalise = value;
    } else if (key === "maxTokens") {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 2) throw bad(".maxTokens", "an integer ≥ 2", value);
      task.maxTokens = value;
    } else {
      throw bad(`.${key.slice(0, 60)}`, "one of template, lengthNormalise, maxTokens (not set)", value);
    }
  }
  return task;
}

export function resolveSpec(input: JobSpecInput): JobSpec {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, "job spec must be an object with model and dataset");
  }
  const strategy = strategyNamed(input.strategy ?? "c2i");
  const base = resolveSettings(strategy.preset);
  const spec: JobSpec = {
    model: nonEmpty(input.model, "model"),
    dataset: nonEmpty(input.dataset, "dataset"),
    strategy: strategy.name,
    settings: resolveSettings(input.settings ?? {}, base),
  };
  if (input.task !== undefined) spec.task = resolveTask(input.task);
  if (input.factorization !== undefined && input.factorization !== "svd") spec.factorization = oneOf(input.factorization, "factorization", FACTORIZATIONS);
  if (input.clustering !== undefined && input.clustering !== "blocks") spec.clustering = oneOf(input.clustering, "clustering", CLUSTERINGS);
  return spec;
}

/** SubmitJob's spec_json: a JSON object, else INVALID_ARGUMENT (resolveSpec validates the fields). */
export function parseSpecJson(json: string): JobSpecInput {
  let spec: unknown;
  try {
    spec = JSON.parse(json);
  } catch (e) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `SubmitJob: spec_json is not a JSON object (${(e as Error).message})`);
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `SubmitJob: spec_json is not a JSON object (got ${previewJson(spec)})`);
  }
  return spec as JobSpecInput;
}

/** Read a spec back from the store (plain JSON) and re-validate it. */
export function specFromRecord(raw: Record<string, unknown>): JobSpec {
  return resolveSpec(raw as unknown as JobSpecInput);
}
