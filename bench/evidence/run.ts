// Real-model evidence: each TinyStories llama2.c model in ../shared/models, converted, adapted to the story cloze task by
// c2i and by LASER through `c2i adapt --strategy both` (the same code users run), side by side in one run.
// Run: npx tsx bench/evidence/run.ts [--models DIR] [--mode generative|choice] [--seed S] [--agents N] [--work DIR]
//      npx tsx bench/evidence/run.ts --model-dir HF_DIR [--dataset FILE]   (an already converted model; a check of this script)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findLlama2cModels } from "../../agent/checkpoint/llama2c/discover.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface SetMetrics {
  accuracy: number;
  loss: number;
  n: number;
}
interface StrategySummary {
  strategy: string;
  edit: { matrix: string; blocks: number; rate: number } | null;
  baseline: { selection: SetMetrics; test: SetMetrics };
  chosen: { selection: SetMetrics; test: SetMetrics };
  seconds: number;
  candidates: number;
}

/** `c2i <args> --json` as a child process; its progress goes to our stderr, its JSON comes back. */
function c2i(args: string[]): unknown {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/c2i.mjs"), ...args, "--json"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`c2i ${args.join(" ")} exited with ${r.status}`);
  return JSON.parse(r.stdout);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function row(model: string, s: StrategySummary): string {
  const edit = s.edit ? `${s.edit.matrix} K=${s.edit.blocks} ρ=${s.edit.rate}` : "no edit";
  return `| ${model} | ${s.strategy} | ${edit} | ${pct(s.baseline.selection.accuracy)} → ${pct(s.chosen.selection.accuracy)} (n=${s.baseline.selection.n}) | ` +
    `${pct(s.baseline.test.accuracy)} → ${pct(s.chosen.test.accuracy)} (n=${s.baseline.test.n}) | ${s.candidates} | ${s.seconds.toFixed(1)} |`;
}

function main(): number {
  const mode = flag("mode") ?? "generative";
  const seed = flag("seed") ?? "0";
  const agents = flag("agents");
  const work = flag("work") ?? mkdtempSync(join(tmpdir(), "c2i-evidence-"));
  mkdirSync(work, { recursive: true });
  const targets: { name: string; modelDir: string; source: string }[] = [];
  const given = flag("model-dir");
  if (given) {
    targets.push({ name: given, modelDir: given, source: "given with --model-dir" });
  } else {
    const root = resolve(flag("models") ?? join(ROOT, "../shared/models"));
    if (!existsSync(root)) {
      console.log(`${root} is absent on this machine: no real models, so no real-model evidence was produced (nothing to run).`);
      return 0;
    }
    const { models, skipped } = findLlama2cModels(root);
    for (const s of skipped) console.log(`skipped ${s}`);
    if (models.length === 0) {
      console.log(`${root} holds no llama2.c model folders: nothing to run.`);
      return 0;
    }
    for (const m of models) {
      for (const note of m.ignored) console.log(`${m.name}: ignored ${note}`);
      const out = join(work, m.name, "model");
      c2i(["convert", "llama2c", "--checkpoint", m.checkpoint, "--tokenizer", m.tokenizer, "--out", out]);
      targets.push({ name: m.name, modelDir: out, source: m.source });
    }
  }
  let dataset = flag("dataset");
  if (!dataset) {
    dataset = join(work, `cloze-${mode}-${seed}.jsonl`);
    const made = c2i(["datasets", "cloze", "--out", dataset, "--seed", seed, "--mode", mode]) as { rows: number };
    console.log(`cloze task: ${made.rows} ${mode} rows from the built-in TinyStories-style corpus, seed ${seed} → ${dataset}`);
  }
  const lines = [
    "| model | strategy | chosen edit | selection acc (baseline → chosen) | test acc (baseline → chosen) | candidates | seconds |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  const speedups: string[] = [];
  for (const t of targets) {
    const args = ["adapt", "--model", t.modelDir, "--dataset", dataset, "--strategy", "both", "--out", join(work, t.name.replace(/\W+/g, "_"), "out"), "--no-checkpoint", "--seed", seed];
    if (agents) args.push("--agents", agents);
    const result = c2i(args) as { results: StrategySummary[] };
    const c2iRun = result.results.find((r) => r.strategy === "c2i")!;
    const laser = result.results.find((r) => r.strategy === "laser")!;
    lines.push(row(t.name, c2iRun), row(t.name, laser));
    speedups.push(`${t.name} (${t.source || "no SOURCE.txt"}): LASER ${laser.seconds.toFixed(1)} s / c2i ${c2iRun.seconds.toFixed(1)} s = ${(laser.seconds / c2iRun.seconds).toFixed(2)}× speed-up`);
  }
  console.log(["", ...lines, "", ...speedups, "", `selection set: c2i = its 100-sample adaptation set; LASER = the first 20% of rows (validation). Work files in ${work}.`].join("\n"));
  return 0;
}

process.exitCode = main();
