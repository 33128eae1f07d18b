// Real-model evidence: each TinyStories llama2.c model in ../shared/models, converted, adapted by c2i (under both score
// signs) and by LASER to cloze tasks built from the real TinyStories *validation* text, through the `c2i` CLI users run.
// Per (mode, seed): `c2i datasets cloze --seed S --limit ROWS`, then `c2i adapt --strategy both --score-sign negative`
// (c2i, then LASER, one process), `c2i adapt --strategy c2i --score-sign positive` (LASER does not depend on the sign),
// and `c2i score --smallest <all>` (every σ-gradient on the same adaptation set: a first-order check of the sign).
// Run: npx tsx bench/evidence/run.ts [--models DIR] [--text FILE] [--modes generative,choice] [--seeds 0,1,2,3,4]
//        [--rows generative:1000,choice:500] [--agents N] [--work DIR] [--reuse]
//      --reuse: keep the result.json files already in --work (re-renders the tables without rerunning a search).
//      npx tsx bench/evidence/run.ts --model-dir HF_DIR ...   (an already converted model; a check of this script)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { findLlama2cModels } from "../../agent/checkpoint/llama2c/discover.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import { summarize, summaryTable } from "./aggregate.ts";
import { firstOrderCheck, firstOrderTable, type SpectraDocument } from "./first-order.ts";
import { recordsOf, runTable, SIGNS, type Sign, type TaskRuns } from "./records.ts";
import { compareSigns, signSummary, signTable } from "./sign.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const VALIDATION_TEXT = join(ROOT, "../shared/data/tinystories/tinystories_validation.head.hf_export.txt");

const { values } = parseArgs({
  options: {
    models: { type: "string", default: join(ROOT, "../shared/models") },
    "model-dir": { type: "string" },
    text: { type: "string", default: VALIDATION_TEXT },
    modes: { type: "string", default: "generative,choice" },
    seeds: { type: "string", default: "0,1,2,3,4" },
    /** Rows kept of each seeded cloze shuffle: LASER evaluates every candidate on the first 20% of them. */
    rows: { type: "string", default: "generative:1000,choice:500" },
    agents: { type: "string" },
    work: { type: "string" },
    reuse: { type: "boolean", default: false },
  },
});

interface Target {
  name: string;
  modelDir: string;
  source: string;
}

const work = resolve(values.work ?? mkdtempSync(join(tmpdir(), "c2i-evidence-")));
/** Every c2i command run, as printed in latest.md (paths under --work written as $WORK). */
const commands: string[] = [];

/** Record a c2i command line as run from the repository root, with --work written as $WORK. */
function record(args: readonly string[]): void {
  const shown = (a: string) => (a.startsWith(work) ? `$WORK/${relative(work, a)}` : a.startsWith("/") ? relative(ROOT, a) : a);
  commands.push(`c2i ${args.map(shown).join(" ")}`);
}

/** `c2i <args> --json` as a child process; its progress goes to our stderr, its JSON comes back. */
function c2i(args: string[]): unknown {
  record(args);
  const r = spawnSync(process.execPath, [join(ROOT, "bin/c2i.mjs"), ...args, "--json"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`c2i ${args.join(" ")} exited with ${r.status}`);
  return JSON.parse(r.stdout);
}

/** "generative:1000,choice:500" → rows per mode; a bare "800" applies to every mode. */
function rowsPerMode(spec: string, modes: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of spec.split(",")) {
    const [a, b] = part.split(":");
    const n = Number(b ?? a);
    if (!Number.isInteger(n) || n < 101) throw new Error(`--rows: "${part}" is not [mode:]N with N > 100 (the adaptation set takes 100)`);
    for (const m of b === undefined ? modes : [a!]) out.set(m, n);
  }
  for (const m of modes) if (!out.has(m)) throw new Error(`--rows gives no row count for mode ${m}`);
  return out;
}

/** The models to run: --model-dir as given, else every llama2.c folder under --models, converted into --work. */
function targets(): Target[] {
  if (values["model-dir"]) return [{ name: values["model-dir"], modelDir: values["model-dir"], source: "given with --model-dir" }];
  const root = resolve(values.models!);
  if (!existsSync(root)) {
    console.log(`${root} is absent on this machine: no real models, so no real-model evidence was produced (nothing to run).`);
    return [];
  }
  const { models, skipped } = findLlama2cModels(root);
  for (const s of skipped) console.log(`skipped ${s}`);
  if (models.length === 0) console.log(`${root} holds no llama2.c model folders: nothing to run.`);
  return models.map((m) => {
    for (const note of m.ignored) console.log(`${m.name}: ignored ${note}`);
    const out = join(work, m.name, "model");
    c2i(["convert", "llama2c", "--checkpoint", m.checkpoint, "--tokenizer", m.tokenizer, "--out", out]);
    return { name: m.name, modelDir: out, source: m.source };
  });
}

/** The seeded cloze task of one (mode, seed): the seed orders the rows, so --limit keeps a seeded sample of items. */
function clozeTask(mode: string, seed: number, rows: number): string {
  const file = join(work, `cloze-${mode}-s${seed}-${rows}.jsonl`);
  const made = c2i(["datasets", "cloze", "--text", resolve(values.text!), "--mode", mode, "--seed", String(seed), "--limit", String(rows), "--out", file]) as
    { rows: number; stories: number; format: string };
  console.error(`cloze ${mode} seed ${seed}: ${made.rows} rows (${made.format}, ${made.stories} stories) → ${file}`);
  return file;
}

const readResult = (file: string) => JSON.parse(readFileSync(file, "utf8")) as ResultDocument;

/** One `c2i adapt` into `out`, unless --reuse finds its result files there already. */
function adapt(t: Target, dataset: string, seed: number, strategy: "both" | "c2i", sign: Sign, out: string): void {
  const args = ["adapt", "--model", t.modelDir, "--dataset", dataset, "--strategy", strategy, "--score-sign", sign, "--seed", String(seed), "--out", out, "--no-checkpoint"];
  if (values.agents) args.push("--agents", values.agents);
  const done = existsSync(join(out, "result.json")) && (strategy === "c2i" || existsSync(join(out, "result.laser.json")));
  if (values.reuse && done) record(args);
  else c2i(args);
}

/** Every block's full spectrum and σ-gradients on the seed's adaptation set (for the first-order check), kept in `file`. */
function spectra(t: Target, dataset: string, seed: number, file: string): SpectraDocument {
  const args = ["score", "--model", t.modelDir, "--dataset", dataset, "--seed", String(seed), "--smallest", "1000000"];
  if (values.reuse && existsSync(file)) {
    record(args);
    return JSON.parse(readFileSync(file, "utf8")) as SpectraDocument;
  }
  const doc = c2i(args) as SpectraDocument;
  writeFileSync(file, JSON.stringify(doc) + "\n");
  return doc;
}

/** LASER and c2i (negative) in one process, then c2i (positive) alone, then the spectra, on the same task. */
function runTask(t: Target, mode: string, seed: number, rows: number): TaskRuns {
  const dataset = clozeTask(mode, seed, rows);
  const dir = join(work, t.name.replace(/\W+/g, "_"), `${mode}-s${seed}`);
  mkdirSync(dir, { recursive: true });
  adapt(t, dataset, seed, "both", "negative", join(dir, "negative"));
  adapt(t, dataset, seed, "c2i", "positive", join(dir, "positive"));
  return {
    model: t.name, mode, seed, spectra: spectra(t, dataset, seed, join(dir, "spectra.json")),
    laser: readResult(join(dir, "negative", "result.laser.json")),
    c2i: { negative: readResult(join(dir, "negative", "result.json")), positive: readResult(join(dir, "positive", "result.json")) },
  };
}

function report(tasks: readonly TaskRuns[], seconds: number): void {
  const records = tasks.flatMap(recordsOf);
  const signs = tasks.map(compareSigns);
  const firstOrder = tasks.map((t) => firstOrderCheck(t, t.spectra, SIGNS.map((s) => t.c2i[s])));
  console.log([
    "## Every run", "", ...runTable(records), "",
    "## Per (mode, strategy, sign), across seeds: mean [min, max]", "", ...summaryTable(summarize(records)), "",
    "## Score sign: LASER's pick in c2i's score lists, and the two signs' choices", "", ...signTable(signs), "",
    ...signSummary(signs), "",
    "## First-order check: predicted (−Σ σ·g over the removed directions) vs measured loss change of c2i's candidates, adaptation set", "",
    ...firstOrderTable(firstOrder), "",
    "## Commands", "", "```", ...commands, "```", "",
    `Work files in ${work}. Wall time of this script: ${(seconds / 60).toFixed(1)} min` +
      `${values.reuse ? " (--reuse: the result files already in --work were read, not recomputed)" : ""}; each command ran with --json.`,
  ].join("\n"));
}

function main(): number {
  const started = performance.now();
  const modes = values.modes!.split(",").map((m) => m.trim()).filter(Boolean);
  const seeds = values.seeds!.split(",").map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds: integers expected, got "${values.seeds}"`);
  const rows = rowsPerMode(values.rows!, modes);
  if (!existsSync(values.text!)) {
    console.log(`${values.text} is absent on this machine: no story text, so no real-model evidence was produced (nothing to run).`);
    return 0;
  }
  mkdirSync(work, { recursive: true });
  const tasks: TaskRuns[] = [];
  for (const t of targets()) {
    console.log(`${t.name}: ${t.source || "no SOURCE.txt"}`);
    for (const mode of modes) for (const seed of seeds) tasks.push(runTask(t, mode, seed, rows.get(mode)!));
  }
  if (tasks.length > 0) report(tasks, (performance.now() - started) / 1000);
  return 0;
}

process.exitCode = main();
