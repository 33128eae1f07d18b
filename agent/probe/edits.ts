// Applies a recipe's edits to a loaded model in memory, so a probe can compare the model before and after them.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Recipe } from "../../common/recipe.ts";
import { factorMatrix, truncateFactored } from "../linalg/factorizations/factorize.ts";
import { fromFloat32 } from "../linalg/matrix.ts";
import type { Svd } from "../linalg/svd/types.ts";
import type { LanguageModel } from "../models/types.ts";

/** The same truncations `applyRecipe` writes (same SVD → same weights); checks type and kept ranks. */
export function applyRecipeInMemory(model: LanguageModel, recipe: Recipe, svd: Svd, source = "recipe"): string[] {
  if (model.config.modelType !== recipe.modelType) {
    throw new C2iError(ErrorCode.RECIPE_MISMATCH, `${source} is for a ${recipe.modelType} model, this model is ${model.config.modelType}`);
  }
  const edited: string[] = [];
  for (const edit of recipe.edits) {
    const info = model.candidates.find((c) => c.name === edit.matrix);
    if (!info) throw new C2iError(ErrorCode.RECIPE_MISMATCH, `${source} edits ${edit.matrix}, which is not a candidate matrix of this model`);
    const f = factorMatrix(fromFloat32(info.rows, info.cols, model.readMatrix(edit.matrix)), svd, { blocks: edit.blocks, clustering: edit.clustering, kSubspaces: edit.kSubspaces });
    const { weight, keptRanks } = truncateFactored(f, edit.rate);
    if (keptRanks.join() !== edit.keptRanks.join()) {
      throw new C2iError(ErrorCode.RECIPE_MISMATCH, `${source}: ${edit.matrix} at K=${edit.blocks}, rate ${edit.rate} keeps ranks [${keptRanks}] here but [${edit.keptRanks}] in the recipe`);
    }
    model.writeMatrix(edit.matrix, weight);
    edited.push(edit.matrix);
  }
  return edited;
}
