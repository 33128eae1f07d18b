// Writes a finished search's files into --out: result.json, recipe.json, report.html, and (through a callback) the checkpoint.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Recipe } from "../../common/recipe.ts";
import type { ResultDocument } from "../plan/result.ts";
import { renderReport } from "./html.ts";

export interface WriteOutputsOptions {
  /**
   * Writes the adapted checkpoint into `dir` and returns the file names. Injected by the CLI edge
   * (it calls agent/work/apply.ts): the coordinator itself never touches tensors. @default none (no checkpoint)
   */
  writeCheckpoint?: (recipe: Recipe, dir: string) => Promise<void>;
  /** Other results shown only in the report (e.g. a --compare file). @default [] */
  compare?: readonly ResultDocument[];
}

/** Write through a temporary name so a crash never leaves a half-written file under the real name. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * `results[0]` is the main result (result.json, recipe.json, checkpoint in model/); further results
 * (e.g. laser in `--strategy both`) go to result.<strategy>.json and into the report's comparison.
 * Returns the paths written, relative to `outDir`.
 */
export async function writeOutputs(outDir: string, results: readonly ResultDocument[], options: WriteOutputsOptions = {}): Promise<string[]> {
  const [main, ...rest] = results;
  if (!main) return [];
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, text: string) => {
    writeAtomic(join(outDir, name), text);
    written.push(name);
  };
  put("result.json", JSON.stringify(main, null, 2) + "\n");
  for (const r of rest) put(`result.${r.strategy}.json`, JSON.stringify(r, null, 2) + "\n");
  put("recipe.json", JSON.stringify(main.recipe, null, 2) + "\n");
  put("report.html", renderReport(main, [...rest, ...(options.compare ?? [])]));
  if (options.writeCheckpoint) {
    await options.writeCheckpoint(main.recipe, join(outDir, "model"));
    written.push("model/");
  }
  return written;
}
