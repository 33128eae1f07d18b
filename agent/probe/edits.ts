// Applies a recipe's edits to a loaded model in memory, so a probe can compare the model before and after them.
import type { Recipe } from "../../common/recipe.ts";
import type { Svd } from "../linalg/svd/types.ts";
import type { LanguageModel } from "../models/types.ts";
import { applyEdits } from "../work/apply.ts";

/** The same truncations `applyRecipe` writes (same SVD → same weights, FWSVD/ASVD scales included); returns the edited matrices. */
export function applyRecipeInMemory(model: LanguageModel, recipe: Recipe, svd: Svd, source = "recipe"): string[] {
  return applyEdits(model, recipe, svd, source).map((e) => e.matrix);
}
