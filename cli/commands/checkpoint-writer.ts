// The adapted checkpoint of a finished search, written by the CLI process (the coordinator never touches tensors).
import { renameSync, rmSync } from "node:fs";
import { selectBackend } from "../../agent/compute/backend.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import type { SvdPreference } from "../../agent/linalg/svd/types.ts";
import { applyRecipe } from "../../agent/work/apply.ts";
import type { Logger } from "../../common/log.ts";
import type { Recipe } from "../../common/recipe.ts";

/**
 * A `writeCheckpoint` for writeOutputs: the recipe applied to `model` on the plain cpu backend with the agents' SVD
 * choice (the checkpoint `c2i apply` reproduces byte for byte), into a temporary directory renamed at the end, so
 * an interrupted write never leaves a partial model/.
 */
export function checkpointWriter(model: string, svd: SvdPreference, logger: Logger): (recipe: Recipe, dir: string) => Promise<void> {
  return async (recipe, dir) => {
    await selectBackend({ prefer: "cpu", blas: "off", logger });
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      await applyRecipe(model, recipe, tmp, { svd: selectSvd({ prefer: svd, logger }), logger });
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  };
}
