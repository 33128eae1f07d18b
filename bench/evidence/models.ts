// Finds the llama2.c models in ../shared/models: per folder, a checkpoint .bin, its tokenizer .bin, and SOURCE.txt.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface Llama2cModel {
  name: string;
  dir: string;
  checkpoint: string;
  tokenizer: string;
  /** First line of SOURCE.txt, if any. */
  source: string;
}

/** Folders holding a checkpoint and a tokenizer (`*tok*.bin`); the rest are reported in `skipped`. */
export function findLlama2cModels(root: string): { models: Llama2cModel[]; skipped: string[] } {
  const models: Llama2cModel[] = [];
  const skipped: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const bins = readdirSync(dir).filter((f) => f.endsWith(".bin"));
    const tokenizers = bins.filter((f) => /tok/i.test(f));
    const checkpoints = bins.filter((f) => !/tok/i.test(f)).sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size);
    if (tokenizers.length === 0 || checkpoints.length === 0) {
      skipped.push(`${name}: needs a checkpoint .bin and a tokenizer *tok*.bin, found ${bins.join(", ") || "no .bin files"}`);
      continue;
    }
    const sourceFile = join(dir, "SOURCE.txt");
    const source = existsSync(sourceFile) ? (readFileSync(sourceFile, "utf8").split("\n").find((l) => l.trim()) ?? "").trim() : "";
    models.push({ name, dir, checkpoint: join(dir, checkpoints[0]!), tokenizer: join(dir, tokenizers[0]!), source });
  }
  return { models, skipped };
}
