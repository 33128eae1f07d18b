// A 1 model × 4 datasets sweep vs the same four jobs run one after another (`c2i adapt` each), side by side in one
// run: wall time, the same numbers per cell, and the factor reuse (SVD factor lookups answered from the agents'
// caches vs computed) that sharing the model across jobs brings.
// Run: npx tsx bench/sweep/grid.ts [--model DIR] [--agents 2] [--rounds 1]
//   default model: stories260K from ../shared/models (converted), datasets: 4 cloze tasks from the TinyStories
//   validation text (seeds 0–3); without ../shared, the generated demo and 4 row subsets of its task.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { findLlama2cModels } from "../../agent/checkpoint/llama2c/discover.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SHARED = resolve(ROOT, "../shared");
const SEARCH = ["--adapt-size", "100", "--blocks", "1,2,4,8", "--top-m", "5"];
const { values } = parseArgs({ options: { model: { type: "string" }, agents: { type: "string" }, rounds: { type: "string" } } });
const agents = values.agents ?? "2";
const work = mkdtempSync(join(tmpdir(), "c2i-bench-grid-"));

function c2i(args: string[]): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, "bin/c2i.mjs"), ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, C2I_LOG_LEVEL: "warn" } });
  if (r.status !== 0) throw new Error(`c2i ${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout };
}

/** The model and four tasks: the real ones when ../shared has them. */
function inputs(): { model: string; datasets: string[]; what: string } {
  const found = existsSync(join(SHARED, "models")) ? findLlama2cModels(join(SHARED, "models")).models[0] : undefined;
  const text = join(SHARED, "data/tinystories/tinystories_validation.head.hf_export.txt");
  if (!values.model && found && existsSync(text)) {
    const model = join(work, "stories260K");
    c2i(["convert", "llama2c", "--checkpoint", found.checkpoint, "--tokenizer", found.tokenizer, "--out", model]);
    const datasets = [0, 1, 2, 3].map((seed) => {
      const file = join(work, `cloze-${seed}.jsonl`);
      c2i(["datasets", "cloze", "--text", text, "--seed", String(seed), "--limit", "1000", "--out", file]);
      return file;
    });
    return { model, datasets, what: `stories260K (${found.dir}), 4 generative cloze tasks of 1,000 rows from the TinyStories validation text (seeds 0–3)` };
  }
  const demo = writeDemo(join(work, "demo"));
  const rows = readFileSync(demo.dataset, "utf8").trim().split("\n");
  const datasets = [0, 1, 2, 3].map((i) => {
    const file = join(work, `demo-${i}.jsonl`);
    writeFileSync(file, rows.filter((_, j) => j % 4 !== i).join("\n") + "\n");
    return file;
  });
  return { model: values.model ?? demo.model, datasets, what: `${values.model ?? "the generated demo"}, 4 subsets of the demo task` };
}

interface Shared { factorHits: number; factorMisses: number; modelHits: number; modelMisses: number }

try {
  const { model, datasets, what } = inputs();
  const rounds = Number(values.rounds ?? 1);
  console.log(`# ${what}; ${agents} local agents; ${rounds} round(s), sweep and sequential interleaved\n`);
  const rows: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const out = join(work, `sweep-${round}`);
    const sweep = c2i(["sweep", "--models", model, "--datasets", datasets.join(","), "--out", out, "--agents", agents, "--json", ...SEARCH]);
    const swept = JSON.parse(sweep.stdout) as { cells: { name: string }[]; sharedWork: Shared };
    let sequential = 0;
    const alone: Shared = { factorHits: 0, factorMisses: 0, modelHits: 0, modelMisses: 0 };
    const same: boolean[] = [];
    datasets.forEach((dataset, i) => {
      const dir = join(work, `alone-${round}-${i}`);
      const r = c2i(["adapt", "--model", model, "--dataset", dataset, "--out", dir, "--agents", agents, "--no-checkpoint", "--json", ...SEARCH]);
      sequential += r.seconds;
      const s = (JSON.parse(r.stdout) as { sharedWork: Shared }).sharedWork;
      for (const k of Object.keys(alone) as (keyof Shared)[]) alone[k] += s[k];
      const cell = swept.cells[i]!.name;
      const read = (f: string) => resultNumbers(JSON.parse(readFileSync(f, "utf8")) as ResultDocument);
      same.push(JSON.stringify(read(join(out, cell, "result.json"))) === JSON.stringify(read(join(dir, "result.json"))));
    });
    const f = swept.sharedWork;
    rows.push(`| ${round + 1} | ${sweep.seconds.toFixed(1)} | ${sequential.toFixed(1)} | ${(sequential / sweep.seconds).toFixed(2)}× | ${f.factorMisses} / ${f.factorHits} | ${alone.factorMisses} / ${alone.factorHits} | ${f.modelMisses} / ${alone.modelMisses} | ${same.every(Boolean) ? "yes" : `NO (${same.map((x) => (x ? "=" : "≠")).join("")})`} |`);
  }
  console.log("| round | sweep s | 4 jobs one after another s | speed-up | SVDs computed / factor reads from cache, sweep | the same, one after another | model loads, sweep / one after another | same numbers per cell |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(r);
} finally {
  rmSync(work, { recursive: true, force: true });
}
