// Writes the demo checkpoint + task to disk (`c2i demo`), and `ensureDemo` keeps one ready in a cache for `--model demo`.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCheckpoint } from "../checkpoint/safetensors.ts";
import { buildDemoModel, DEMO_SEED, LAYERS, type DemoModelOptions } from "./construction.ts";
import { buildDemoRows, demoJsonl } from "./task.ts";
import { tokenizerConfigJson, tokenizerJson } from "./vocabulary.ts";

/** Bump when the construction changes, so caches of an older demo are not reused. */
export const DEMO_VERSION = "1";

export interface DemoPaths {
  /** Directory of the Hugging Face Llama checkpoint. */
  model: string;
  /** The JSONL task. */
  dataset: string;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Write `outDir/model/` and `outDir/dataset.jsonl`, byte-identical on every run (for the same seed and options). */
export function writeDemo(outDir: string, seed = DEMO_SEED, options: DemoModelOptions = {}): DemoPaths & { rows: number; parameters: number } {
  const demo = buildDemoModel(seed, options);
  const model = join(outDir, "model");
  mkdirSync(model, { recursive: true });
  writeFileSync(join(model, "config.json"), json(demo.config));
  writeFileSync(join(model, "tokenizer.json"), json(tokenizerJson(demo.vocab)));
  writeFileSync(join(model, "tokenizer_config.json"), json(tokenizerConfigJson()));
  writeFileSync(join(model, "generation_config.json"), json({ bos_token_id: 1, eos_token_id: 2, pad_token_id: 3 }));
  writeCheckpoint(model, demo.tensors, { metadata: { format: "pt" } });
  const rows = buildDemoRows(demo.world, seed);
  const dataset = join(outDir, "dataset.jsonl");
  writeFileSync(dataset, demoJsonl(rows));
  const parameters = demo.tensors.reduce((n, t) => n + t.data.length, 0);
  return { model, dataset, rows: rows.length, parameters };
}

/** The demo under `cacheDir/demo-v<version>/` (`demo-v<version>-L<layers>/` when deeper), written once (into a temporary directory, then renamed). */
export function ensureDemo(cacheDir: string, options: DemoModelOptions = {}): DemoPaths {
  const layers = options.layers ?? LAYERS;
  const dir = join(cacheDir, layers === LAYERS ? `demo-v${DEMO_VERSION}` : `demo-v${DEMO_VERSION}-L${layers}`);
  const paths = { model: join(dir, "model"), dataset: join(dir, "dataset.jsonl") };
  if (existsSync(join(dir, "dataset.jsonl"))) return paths;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeDemo(tmp, DEMO_SEED, { layers });
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process finished first: its demo is identical, keep it.
      if (!existsSync(join(dir, "dataset.jsonl"))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return paths;
}
