// recipe.json surface: parseRecipe, then `c2i apply`'s applyRecipe on the tiny model (nothing may appear in --out on refusal).
import { join } from "node:path";
import { fingerprintCheckpoint } from "../../../agent/checkpoint/fingerprint.ts";
import { selectBackend } from "../../../agent/compute/backend.ts";
import { factorMatrix, truncateFactored } from "../../../agent/linalg/factorizations/factorize.ts";
import { fromFloat32 } from "../../../agent/linalg/matrix.ts";
import { TypeScriptSvd } from "../../../agent/linalg/svd/typescript.ts";
import type { Svd } from "../../../agent/linalg/svd/types.ts";
import { loadModel } from "../../../agent/models/load.ts";
import { applyRecipe } from "../../../agent/work/apply.ts";
import { ErrorCode } from "../../../common/errors.ts";
import { silentLogger } from "../../../common/log.ts";
import { makeRecipe, parseRecipe, type Recipe, type RecipeEdit, type RecipeFactorization } from "../../../common/recipe.ts";
import { writeTinyModel } from "../fixtures.ts";
import { mutateText } from "../mutate-bytes.ts";
import { mutateJson, serialise, type Json } from "../mutate-json.ts";
import type { FuzzInput, Surface } from "../surface.ts";

interface RecipeSetup {
  modelDir: string;
  recipes: Recipe[];
  svd: Svd;
}

/** Valid recipes for the tiny model: plain blocks, FWSVD, ASVD and K-subspaces edits, and "no edit". */
async function validRecipes(modelDir: string, svd: Svd): Promise<Recipe[]> {
  const fingerprint = fingerprintCheckpoint(modelDir);
  const model = await loadModel(modelDir);
  try {
    const edit = (matrix: string, blocks: number, rate: number, extra: Partial<RecipeEdit> = {}): RecipeEdit => {
      const info = model.candidates.find((c) => c.name === matrix)!;
      const w = fromFloat32(info.rows, info.cols, model.readMatrix(matrix));
      const clustering = extra.clustering ?? "blocks";
      const transform = { ...(extra.rowScale ? { rowScale: Float64Array.from(extra.rowScale) } : {}), ...(extra.colScale ? { colScale: Float64Array.from(extra.colScale) } : {}) };
      const f = factorMatrix(w, svd, { blocks, clustering, transform, ...(extra.kSubspaces ? { kSubspaces: extra.kSubspaces } : {}) });
      return { matrix, blocks, rate, clustering, ...extra, keptRanks: truncateFactored(f, rate).keptRanks };
    };
    const down = "model.layers.0.mlp.down_proj.weight";
    const q = "model.layers.1.self_attn.q_proj.weight";
    const make = (edits: RecipeEdit[], f: RecipeFactorization = "svd") => makeRecipe(fingerprint, "llama", edits, f);
    return [
      make([edit(down, 2, 0.5), edit(q, 1, 0.9)]),
      make([edit(down, 4, 0.2, { rowScale: [1, 2, 3, 4, 0.5, 0.25, 1, 1] })], "fwsvd"),
      make([edit(q, 2, 0.6, { colScale: Array.from({ length: 8 }, (_, i) => 1 + i / 8) })], "asvd"),
      make([edit(down, 2, 0.4, { clustering: "ksubspaces", kSubspaces: { rank: 1, maxIterations: 10, init: "blocks", seed: 0 } })]),
      make([]),
    ];
  } finally {
    model.dispose();
  }
}

export const recipeSurface: Surface<RecipeSetup> = {
  name: "recipe",
  title: "recipe.json (svd, fwsvd, asvd, ksubspaces, no edit) → parseRecipe, applyRecipe (c2i apply)",
  codes: [ErrorCode.INVALID_ARGUMENT, ErrorCode.RECIPE_MISMATCH],
  async setup(scratch) {
    await selectBackend({ prefer: "cpu", blas: "off", logger: silentLogger() });
    const svd = new TypeScriptSvd();
    const modelDir = writeTinyModel(scratch).dir;
    return { modelDir, recipes: await validRecipes(modelDir, svd), svd };
  },
  generate(rng, s): FuzzInput {
    const recipe = rng.pick(s.recipes) as unknown as Json;
    if (rng.chance(0.75)) {
      const m = mutateJson(recipe, rng);
      return { files: { "recipe.json": serialise(m.value, rng) }, what: m.what };
    }
    const m = mutateText(JSON.stringify(recipe, null, 2), rng);
    return { files: { "recipe.json": m.value }, what: `text: ${m.what}` };
  },
  async feed(input, s, { dir }) {
    const raw = input.files["recipe.json"]!;
    const text = typeof raw === "string" ? raw : new TextDecoder().decode(raw);
    const recipe = parseRecipe(text, join(dir, "recipe.json"));
    await applyRecipe(s.modelDir, recipe, join(dir, "out"), { svd: s.svd });
    return ["out/"];
  },
};
