// `c2i apply`: reproduce an adapted checkpoint from the original weights and a recipe.json.
import { readFileSync } from "node:fs";
import { resolveDemoRefs } from "../../agent/demo/ref.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { applyRecipe } from "../../agent/work/apply.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { createLogger } from "../../common/log.ts";
import { parseRecipe } from "../../common/recipe.ts";
import type { Command } from "../command.ts";
import { oneOf, output, parseFlags, requireString, SVD_CHOICES } from "../command.ts";

const usage = `usage: c2i apply --recipe recipe.json --model DIR --out DIR [--json]
  --recipe     recipe.json written by c2i adapt
  --model      the original checkpoint directory (its fingerprint must match the recipe), or "demo"   (env C2I_MODEL)
  --out        where the adapted checkpoint goes (same tensor names, dtypes, sharding; other files copied)
  --svd        auto|lapack|typescript: use the SVD the recipe was made with for byte-identical output   (env C2I_SVD)
  --cache-dir  where "demo" is generated (default ~/.cache/c2i)   (env C2I_CACHE)
  --json       print JSON: {"outDir", "fingerprint", "edits", "files", "svd"}`;

export const applyCommand: Command = {
  name: "apply",
  summary: "write the adapted checkpoint a recipe.json describes",
  usage,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      { recipe: { type: "string" }, model: { type: "string" }, out: { type: "string" }, svd: { type: "string" }, "cache-dir": { type: "string" }, json: { type: "boolean" } },
      { model: "C2I_MODEL", svd: "C2I_SVD", "cache-dir": "C2I_CACHE" },
    );
    const recipeFile = requireString(values, "recipe");
    let text: string;
    try {
      text = readFileSync(recipeFile, "utf8");
    } catch (e) {
      throw new C2iError(ErrorCode.NOT_FOUND, `cannot read --recipe ${recipeFile}: ${(e as Error).message}`);
    }
    const recipe = parseRecipe(text, recipeFile);
    const model = resolveDemoRefs(requireString(values, "model"), "", values["cache-dir"] as string | undefined).model;
    const prefer = oneOf(values.svd, "svd", SVD_CHOICES, "auto");
    const logger = createLogger("c2i-apply", { level: process.env.C2I_LOG_LEVEL ?? "warn" });
    // Only matrices are read and written: the plain cpu backend is enough and starts fastest.
    await selectBackend({ prefer: "cpu", blas: "off", logger });
    const svd = selectSvd({ prefer, logger });
    const report = await applyRecipe(model, recipe, requireString(values, "out"), { svd, logger });
    output(values.json === true, { ...report, svd: svd.name }, () =>
      [
        `wrote ${report.outDir} (${report.files.length} files, ${svd.name})`,
        ...(report.edits.length === 0 ? ["  no edit: the checkpoint equals the original"] : report.edits.map((e) => `  ${e.matrix}  K=${e.blocks}  rate ${e.rate}  kept ranks [${e.keptRanks.join(", ")}]`)),
      ].join("\n"),
    );
    return 0;
  },
};
