// recipe.json: the few numbers that reproduce an adapted checkpoint from the original weights (which matrix, K, rate).
import { C2iError, ErrorCode } from "./errors.ts";
import { previewJson } from "./preview.ts";

export const RECIPE_VERSION = 1;

/** One low-rank edit: per-block truncation of `matrix` split into `blocks` contiguous row blocks (METHOD.md). */
export interface RecipeEdit {
  /** Checkpoint tensor name, e.g. `model.layers.1.mlp.down_proj.weight`. */
  matrix: string;
  /** Block count K (K = 1 is plain LASER-style SVD). */
  blocks: number;
  /** Reduction rate ρ ∈ [0, 1): the fraction of each block's rank removed. */
  rate: number;
  /** Singular values kept per block (a check: recomputed on apply and compared). */
  keptRanks: number[];
  /** Row grouping: contiguous blocks, or K-subspaces (the paper's "optimal clustering"). */
  clustering: "blocks" | "ksubspaces";
  /**
   * With `ksubspaces`: the settings that reproduce the row assignment deterministically from the original
   * weights (the iteration starts from blocks, or from seeded rows; same SVD → same assignment).
   */
  kSubspaces?: RecipeKSubspaces;
  /**
   * FWSVD only: D's diagonal, one weight per row (√ of the Fisher row sums from the job's adaptation set).
   * Recorded because apply has no gradients: with it the edit is reproduced exactly from the original weights.
   */
  rowScale?: number[];
  /** ASVD only: S's diagonal, one scale per input column (mean |x|^0.5 over the adaptation set's inputs). */
  colScale?: number[];
}

/** Which weighting the truncations minimised their error in (agent/linalg/factorizations). */
export const RECIPE_FACTORIZATIONS = ["svd", "fwsvd", "asvd"] as const;
export type RecipeFactorization = (typeof RECIPE_FACTORIZATIONS)[number];

export interface RecipeKSubspaces {
  rank?: number;
  maxIterations?: number;
  init?: "blocks" | "seeded";
  seed?: number;
}

export interface Recipe {
  version: number;
  /** `fingerprintCheckpoint` of the original model: the exact weights the edits apply to. */
  modelFingerprint: string;
  modelType: string;
  /** Empty = "no edit": the adapted checkpoint equals the original. */
  edits: RecipeEdit[];
  /** svd: plain (block) SVD; fwsvd / asvd: every edit carries its `rowScale` / `colScale`. */
  factorization: RecipeFactorization;
}

export function makeRecipe(modelFingerprint: string, modelType: string, edits: RecipeEdit[], factorization: RecipeFactorization = "svd"): Recipe {
  return { version: RECIPE_VERSION, modelFingerprint, modelType, edits, factorization };
}

/** The scale list an edit of `factorization` must carry (svd: none). */
export function scaleFieldOf(factorization: RecipeFactorization): "rowScale" | "colScale" | undefined {
  return factorization === "fwsvd" ? "rowScale" : factorization === "asvd" ? "colScale" : undefined;
}

function parseScales(v: unknown, where: string, source: string): number[] {
  // 1/x must be finite too: the weighted truncation is mapped back with the inverse scales (5e-324 has none).
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "number" && x > 0 && Number.isFinite(x) && Number.isFinite(1 / x))) {
    throw invalid(source, `${where} must be a non-empty list of finite positive numbers with finite inverses`);
  }
  return [...(v as number[])];
}

function invalid(source: string, what: string): C2iError {
  return new C2iError(ErrorCode.INVALID_ARGUMENT, `recipe ${source}: ${what}; write it with \`c2i adapt\` or fix the field`);
}

function isInt(x: unknown, min: number): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= min;
}

function parseKSubspaces(v: unknown, where: string, source: string): RecipeKSubspaces {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid(source, `${where} must be an object`);
  const k = v as Record<string, unknown>;
  const out: RecipeKSubspaces = {};
  if (k.rank !== undefined) {
    if (!isInt(k.rank, 1)) throw invalid(source, `${where}.rank must be an integer ≥ 1`);
    out.rank = k.rank;
  }
  if (k.maxIterations !== undefined) {
    if (!isInt(k.maxIterations, 1)) throw invalid(source, `${where}.maxIterations must be an integer ≥ 1`);
    out.maxIterations = k.maxIterations;
  }
  if (k.init !== undefined) {
    if (k.init !== "blocks" && k.init !== "seeded") throw invalid(source, `${where}.init must be "blocks" or "seeded"`);
    out.init = k.init;
  }
  if (k.seed !== undefined) {
    if (!isInt(k.seed, 0)) throw invalid(source, `${where}.seed must be an integer ≥ 0`);
    out.seed = k.seed;
  }
  return out;
}

/** Validate a parsed recipe (from JSON text or an object); every failure names the field. */
export function parseRecipe(input: string | unknown, source = "(inline)"): Recipe {
  let v: unknown = input;
  if (typeof input === "string") {
    try {
      v = JSON.parse(input);
    } catch (e) {
      throw invalid(source, `not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid(source, "expected a JSON object");
  const r = v as Record<string, unknown>;
  if (r.version !== RECIPE_VERSION) throw invalid(source, `version must be ${RECIPE_VERSION}, got ${previewJson(r.version)}`);
  if (typeof r.modelFingerprint !== "string" || !/^[0-9a-f]{16,}$/.test(r.modelFingerprint)) {
    throw invalid(source, "modelFingerprint must be a hex digest");
  }
  if (typeof r.modelType !== "string" || r.modelType === "") throw invalid(source, "modelType must be a non-empty string");
  if (!RECIPE_FACTORIZATIONS.includes(r.factorization as RecipeFactorization)) {
    throw invalid(source, `factorization must be one of ${RECIPE_FACTORIZATIONS.join(", ")}, got ${previewJson(r.factorization)}`);
  }
  const factorization = r.factorization as RecipeFactorization;
  const needed = scaleFieldOf(factorization);
  if (!Array.isArray(r.edits)) throw invalid(source, "edits must be an array");
  const seen = new Set<string>();
  const edits = r.edits.map((e: unknown, i: number): RecipeEdit => {
    const where = `edits[${i}]`;
    if (typeof e !== "object" || e === null) throw invalid(source, `${where} must be an object`);
    const x = e as Record<string, unknown>;
    if (typeof x.matrix !== "string" || x.matrix === "") throw invalid(source, `${where}.matrix must be a tensor name`);
    if (seen.has(x.matrix)) throw invalid(source, `${where}.matrix ${x.matrix} is edited twice`);
    seen.add(x.matrix);
    if (!isInt(x.blocks, 1)) throw invalid(source, `${where}.blocks must be an integer ≥ 1`);
    if (typeof x.rate !== "number" || !(x.rate >= 0 && x.rate < 1)) throw invalid(source, `${where}.rate must be in [0, 1)`);
    if (!Array.isArray(x.keptRanks) || x.keptRanks.length !== x.blocks || !x.keptRanks.every((k) => isInt(k, 1))) {
      throw invalid(source, `${where}.keptRanks must list one integer ≥ 1 per block`);
    }
    if (x.clustering !== "blocks" && x.clustering !== "ksubspaces") throw invalid(source, `${where}.clustering must be "blocks" or "ksubspaces"`);
    const edit: RecipeEdit = { matrix: x.matrix, blocks: x.blocks, rate: x.rate, keptRanks: [...(x.keptRanks as number[])], clustering: x.clustering };
    if (x.kSubspaces !== undefined) {
      if (x.clustering !== "ksubspaces") throw invalid(source, `${where}.kSubspaces is only meaningful with clustering "ksubspaces"`);
      edit.kSubspaces = parseKSubspaces(x.kSubspaces, `${where}.kSubspaces`, source);
    }
    for (const field of ["rowScale", "colScale"] as const) {
      if (field === needed) {
        if (x[field] === undefined) throw invalid(source, `${where}.${field} is required with factorization "${factorization}" (apply cannot recompute it without the job's samples)`);
        edit[field] = parseScales(x[field], `${where}.${field}`, source);
      } else if (x[field] !== undefined) {
        throw invalid(source, `${where}.${field} is only meaningful with factorization "${field === "rowScale" ? "fwsvd" : "asvd"}"`);
      }
    }
    return edit;
  });
  return { version: RECIPE_VERSION, modelFingerprint: r.modelFingerprint, modelType: r.modelType, edits, factorization };
}
