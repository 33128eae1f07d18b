// The choice benchmark's three tasks and models: FEVER and a generated 8-way task on a GPT-2-small-shaped model
// with GPT-2's real BPE, and the stories260K 4-way cloze (multi-token choices) on the converted llama2.c model.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { findLlama2cModels } from "../../agent/checkpoint/llama2c/discover.ts";
import { loadModel } from "../../agent/models/load.ts";
import type { LanguageModel } from "../../agent/models/types.ts";
import { loadDataset, type ChoiceRow, type Dataset } from "../../agent/tasks/dataset.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import type { Tokenizer } from "../../agent/tokenizers/types.ts";
import { adaptTestSplit } from "../../common/split.ts";
import { randomGpt2 } from "../engine/model.ts";
import { gpt2BpeDir, writeGpt2BpeTokenizer } from "./gpt2-tokenizer.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
const SHARED = join(ROOT, "../shared");

export interface BenchTask {
  name: string;
  model: LanguageModel;
  tokenizer: Tokenizer;
  dataset: Dataset;
  /** The 100-sample adaptation set (seed 0), what a search evaluates every candidate on. */
  indices: number[];
}

/** `c2i <args> --json` from the tree at `root` (this one by default). */
export function c2i(args: string[], root = ROOT): unknown {
  const r = spawnSync(process.execPath, [join(root, "bin/c2i.mjs"), ...args, "--json"], { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`c2i ${args.join(" ")} exited with ${r.status}`);
  return JSON.parse(r.stdout);
}

/** Eight single-token answers under GPT-2's BPE, each checked at bench time. */
const EIGHT = [" true", " false", " yes", " no", " maybe", " right", " wrong", " unknown"];

/** FEVER dev rows and the same claims as an 8-way task, on one random GPT-2-small-shaped model. */
export async function gpt2Tasks(work: string, bpeDir?: string): Promise<BenchTask[]> {
  const tokenizer = await loadTokenizer(writeGpt2BpeTokenizer(join(work, "gpt2-tokenizer"), gpt2BpeDir(bpeDir)));
  const model = randomGpt2();
  const fever = loadDataset(`fever:${join(SHARED, "data/fever/paper_dev.jsonl")}`);
  for (const c of [...new Set(fever.rows.flatMap((r) => (r as ChoiceRow).choices)), ...EIGHT]) {
    if (tokenizer.encode(c).length !== 1) throw new Error(`${JSON.stringify(c)} is not one GPT-2 token`);
  }
  const rows = (fever.rows as ChoiceRow[]).map((r, i) => ({ prompt: r.prompt.replace(/ Is this claim true or false\. The claim is$/, " The best one-word verdict on this claim is"), choices: EIGHT, label: i % 8, line: r.line }));
  const eight: Dataset = { source: "fever-8way (generated)", protocol: "choice", rows };
  const split = (d: Dataset) => adaptTestSplit(d.rows.length, { seed: 0 }).adapt;
  return [
    { name: "FEVER dev, 2 single-token choices (GPT-2-small shape)", model, tokenizer, dataset: fever, indices: split(fever) },
    { name: "generated 8-way single-token task (GPT-2-small shape)", model, tokenizer, dataset: eight, indices: split(eight) },
  ];
}

/** stories260K converted to a Hugging Face directory, and the 4-way cloze task from the real TinyStories validation text. */
export function storiesFiles(work: string, rows = 2000): { modelDir: string; dataset: string } {
  const { models } = findLlama2cModels(join(SHARED, "models"));
  const m = models.find((x) => x.name === "stories260K");
  if (!m) throw new Error(`stories260K not found under ${join(SHARED, "models")}`);
  const modelDir = join(work, "stories260K");
  if (!existsSync(join(modelDir, "config.json"))) c2i(["convert", "llama2c", "--checkpoint", m.checkpoint, "--tokenizer", m.tokenizer, "--out", modelDir]);
  const dataset = join(work, `cloze-choice-${rows}.jsonl`);
  if (!existsSync(dataset)) {
    c2i(["datasets", "cloze", "--out", dataset, "--text", join(SHARED, "data/tinystories/tinystories_validation.head.hf_export.txt"), "--mode", "choice", "--limit", String(rows)]);
  }
  return { modelDir, dataset };
}

export async function storiesTask(work: string): Promise<BenchTask> {
  const { modelDir, dataset: file } = storiesFiles(work);
  const dataset = loadDataset(file);
  return {
    name: "stories260K 4-way cloze, multi-token choices",
    model: await loadModel(modelDir),
    tokenizer: await loadTokenizer(modelDir),
    dataset,
    indices: adaptTestSplit(dataset.rows.length, { seed: 0 }).adapt,
  };
}

export function writeText(file: string, text: string): void {
  writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
}
