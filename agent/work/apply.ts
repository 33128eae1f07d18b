// applyRecipe: recompute a recipe's edits from the original weights and write the adapted checkpoint in the input's format.
import { copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { silentLogger, type Logger } from "../../common/log.ts";
import type { Recipe, RecipeEdit } from "../../common/recipe.ts";
import { SafetensorsFile } from "../checkpoint/file.ts";
import { fingerprintCheckpoint, openCheckpoint, writeSafetensors, type TensorToWrite } from "../checkpoint/safetensors.ts";
import { factorBlocks, truncateBlocks } from "../linalg/blocks.ts";
import { factorMatrix, truncateFactored } from "../linalg/factorizations/factorize.ts";
import { isIdentityTransform } from "../linalg/factorizations/transform.ts";
import type { MatrixTransform } from "../linalg/factorizations/types.ts";
import { fromFloat32 } from "../linalg/matrix.ts";
import type { Svd } from "../linalg/svd/types.ts";
import type { LanguageModel } from "../models/types.ts";

export interface ApplyOptions {
  /** The SVD of the run that made the recipe (same path = byte-identical output). */
  svd: Svd;
  /** @default agent/models loadModel */
  loadModel?: (dir: string) => Promise<LanguageModel>;
  /** @default silent */
  logger?: Logger;
}

export interface ApplyReport {
  outDir: string;
  fingerprint: string;
  edits: { matrix: string; blocks: number; rate: number; keptRanks: number[]; clustering?: "ksubspaces" }[];
  files: string[];
}

/** `__metadata__` of one safetensors file, read from its header (per shard, so each file keeps its own). */
function fileMetadata(file: string): Record<string, string> {
  const f = new SafetensorsFile(file);
  f.close();
  return f.metadata;
}

/**
 * FWSVD / ASVD edits carry their diagonal scales (recorded by the search from the adaptation set), so the
 * weighted truncation is redone exactly from the original weights without the job's samples.
 */
function recipeTransform(edit: RecipeEdit, rows: number, cols: number): MatrixTransform {
  if (edit.rowScale && edit.rowScale.length !== rows) {
    throw new C2iError(ErrorCode.RECIPE_MISMATCH, `recipe edit ${edit.matrix}: ${edit.rowScale.length} row scales for a matrix of ${rows} rows`);
  }
  if (edit.colScale && edit.colScale.length !== cols) {
    throw new C2iError(ErrorCode.RECIPE_MISMATCH, `recipe edit ${edit.matrix}: ${edit.colScale.length} column scales for a matrix of ${cols} columns`);
  }
  return {
    ...(edit.rowScale ? { rowScale: Float64Array.from(edit.rowScale) } : {}),
    ...(edit.colScale ? { colScale: Float64Array.from(edit.colScale) } : {}),
  };
}

async function defaultLoadModel(dir: string): Promise<LanguageModel> {
  const { loadModel } = await import("../models/load.ts");
  return loadModel(dir);
}

/**
 * Writes into `outDir`: every safetensors file of `modelDir` with the same tensor names, order, dtypes and
 * sharding (edited matrices replaced), and every other file (config.json, tokenizer files, the shard index)
 * copied unchanged, so Hugging Face tools load it like the original. Deterministic: same inputs, same bytes.
 */
export async function applyRecipe(modelDir: string, recipe: Recipe, outDir: string, options: ApplyOptions): Promise<ApplyReport> {
  const logger = options.logger ?? silentLogger();
  const fingerprint = fingerprintCheckpoint(modelDir);
  if (fingerprint !== recipe.modelFingerprint) {
    throw new C2iError(
      ErrorCode.RECIPE_MISMATCH,
      `${modelDir} has fingerprint ${fingerprint.slice(0, 16)}…, but the recipe was made for ${recipe.modelFingerprint.slice(0, 16)}…; apply it to the exact checkpoint it was made from`,
    );
  }
  // Before the (slow) edits: an output that is the model directory itself is refused up front. Nothing is created
  // before the edits succeed, so a refused recipe leaves --out as it was.
  refuseModelDirAsOut(modelDir, outDir, "adapted");
  const edited = new Map<string, Float32Array>();
  let edits: ApplyReport["edits"] = [];
  if (recipe.edits.length > 0) {
    const model = await (options.loadModel ?? defaultLoadModel)(modelDir);
    try {
      edits = applyEdits(model, recipe, options.svd, modelDir);
      const state = model.stateDict(recipe.edits.map((e) => e.matrix));
      for (const edit of recipe.edits) {
        const stored = state.get(edit.matrix);
        if (!stored) throw new C2iError(ErrorCode.INTERNAL, `the model's state has no tensor ${edit.matrix}`);
        edited.set(edit.matrix, stored.data);
      }
    } finally {
      model.dispose();
    }
  }
  const files = writeEditedCheckpoint(modelDir, outDir, edited);
  logger.info({ model: modelDir, out: outDir, edits: edits.length }, "recipe applied");
  return { outDir: resolve(outDir), fingerprint, edits, files };
}

/**
 * Redoes a recipe's edits on a loaded model in place (the weighted ones through their recorded scales) and
 * checks the model type and each edit's kept ranks; `source` names the recipe or model in errors. The same
 * SVD gives the same weights as the run that made the recipe.
 */
export function applyEdits(model: LanguageModel, recipe: Recipe, svd: Svd, source: string): ApplyReport["edits"] {
  if (model.config.modelType !== recipe.modelType) {
    throw new C2iError(ErrorCode.RECIPE_MISMATCH, `the recipe is for a ${recipe.modelType} model but ${source} holds ${model.config.modelType}`);
  }
  const edits: ApplyReport["edits"] = [];
  for (const edit of recipe.edits) {
    const info = model.candidates.find((c) => c.name === edit.matrix);
    if (!info) throw new C2iError(ErrorCode.RECIPE_MISMATCH, `recipe edits ${edit.matrix}, which is not a candidate matrix of ${source}`);
    const w = fromFloat32(info.rows, info.cols, model.readMatrix(edit.matrix));
    const transform = recipeTransform(edit, info.rows, info.cols);
    const { weight, keptRanks } =
      edit.clustering === "ksubspaces" || !isIdentityTransform(transform)
        ? truncateFactored(factorMatrix(w, svd, { blocks: edit.blocks, clustering: edit.clustering, transform, ...(edit.kSubspaces ? { kSubspaces: edit.kSubspaces } : {}) }), edit.rate)
        : truncateBlocks(factorBlocks(w, edit.blocks, svd), edit.rate);
    if (keptRanks.join() !== edit.keptRanks.join()) {
      throw new C2iError(
        ErrorCode.RECIPE_MISMATCH,
        `${edit.matrix} at K=${edit.blocks}, rate ${edit.rate} keeps ranks [${keptRanks}] here but [${edit.keptRanks}] in the recipe`,
      );
    }
    model.writeMatrix(edit.matrix, weight);
    edits.push({ matrix: edit.matrix, blocks: edit.blocks, rate: edit.rate, keptRanks, ...(edit.clustering === "ksubspaces" ? { clustering: edit.clustering } : {}) });
  }
  return edits;
}

/** An output directory that is the model directory itself would overwrite the checkpoint being read. */
function refuseModelDirAsOut(modelDir: string, outDir: string, what: "adapted" | "edited"): void {
  if (existsSync(outDir) && realpathSync(outDir) === realpathSync(modelDir)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--out ${outDir} is the model directory itself; write the ${what} checkpoint somewhere else`);
  }
}

/**
 * Writes `modelDir` to `outDir` with the matrices in `edited` (stored layout) replaced: every safetensors file
 * with the same tensor names, order, dtypes and sharding, and every other file (config.json, tokenizer files,
 * the shard index) copied unchanged. Refuses to overwrite the model directory. Returns the files written.
 */
export function writeEditedCheckpoint(modelDir: string, outDir: string, edited: ReadonlyMap<string, Float32Array>): string[] {
  refuseModelDirAsOut(modelDir, outDir, "edited");
  const files = writeTensors(modelDir, outDir, edited);
  for (const name of readdirSync(modelDir).sort()) {
    const from = join(modelDir, name);
    if (name.endsWith(".safetensors") || !statSync(from).isFile()) continue;
    copyFileSync(from, join(outDir, name));
    files.push(name);
  }
  return files.sort();
}

/** One output file per input file, tensors in their stored order, dtypes kept. */
function writeTensors(modelDir: string, outDir: string, edited: ReadonlyMap<string, Float32Array>): string[] {
  const ckpt = openCheckpoint(modelDir);
  try {
    if (ckpt.others().length > 0) {
      throw new C2iError(
        ErrorCode.INVALID_ARGUMENT,
        `${modelDir} holds non-float tensors (${ckpt.others().map((o) => o.name).slice(0, 3).join(", ")}); writing those back is not supported`,
      );
    }
    const byFile = new Map<string, { begin: number; tensor: TensorToWrite }[]>();
    for (const name of ckpt.names()) {
      const e = ckpt.entry(name);
      const data = edited.get(name) ?? ckpt.readF32(name);
      if (data.length !== e.shape.reduce((a, b) => a * b, 1)) {
        throw new C2iError(ErrorCode.SHAPE_MISMATCH, `edited ${name} has ${data.length} values, the checkpoint's shape is [${e.shape}]`);
      }
      const list = byFile.get(e.file) ?? [];
      list.push({ begin: e.begin, tensor: { name, shape: [...e.shape], data, dtype: e.dtype } });
      byFile.set(e.file, list);
    }
    const sources = new Set([...byFile.keys()].map((f) => basename(f)));
    for (const name of readdirSync(modelDir)) {
      if (name.endsWith(".safetensors") && !sources.has(name) && statSync(join(modelDir, name)).isFile()) {
        throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${modelDir}/${name} holds no tensor of the checkpoint; remove it or apply to a clean directory`);
      }
    }
    const written: string[] = [];
    mkdirSync(outDir, { recursive: true });
    for (const [file, list] of byFile) {
      list.sort((a, b) => a.begin - b.begin);
      writeSafetensors(join(outDir, basename(file)), list.map((x) => x.tensor), fileMetadata(file));
      written.push(basename(file));
    }
    return written;
  } finally {
    ckpt.close();
  }
}
