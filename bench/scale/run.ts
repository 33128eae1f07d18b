// The scale benchmark (issue 16): the real CLI's `c2i score` and `c2i adapt` on random-weight checkpoints of real
// model shapes, 100 samples × ~48 tokens, one agent; wall time per phase, peak RSS of every process, sgemm rate.
// Run: nice -n 10 npx tsx bench/scale/run.ts [--shapes gpt2-small,…] [--commands score,adapt] [--timeout-min 20] [--agents 2]
//        [--blocks 1,2] [--work DIR] [--keep] [--out bench/scale/results.json] [--md bench/scale/latest.md] [--render-only]
// Results accumulate in --out by (shape, command, engine commit), so shapes can be run one invocation at a time; --md is rendered
// from all of them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { sgemmGflops } from "../blas/sgemm.ts";
import { flag } from "../flags.ts";
import { DEFAULT_TASK, writeRandomCheckpoint, writeTask } from "./checkpoint.ts";
import { cliStatus, engineCommit, lastWords, runCli } from "./cli.ts";
import { renderPlot, renderReport, type ScaleRun } from "./report.ts";
import { parameterCount, shapeById, storedBytes, type ScaleShape } from "./shapes.ts";
import { passFlopsFor } from "./work.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SHAPE_IDS = flag("shapes", "gpt2-small").split(",");
const COMMANDS = flag("commands", "score,adapt").split(",");
const TIMEOUT_MIN = Number(flag("timeout-min", "20"));
/** Block counts for both commands: METHOD.md's 1,2,4,8 would multiply the SVD phase by ~4 at every size. */
const BLOCKS = flag("blocks", "1,2");
/** adapt's local agents: one per core, as `c2i adapt` defaults to; peak RSS is reported per agent. */
const AGENTS = Number(flag("agents", "2"));
/** adapt's search, small but real: top 2 matrices per K, two rates; one score shard per agent (each pays one pass). */
const adaptSearch = (shape: ScaleShape) => [
  "--top-m", "2", "--blocks", BLOCKS, "--rates", "0.5,0.9",
  "--score-shard-size", String(Math.ceil((shape.layers * (shape.config.model_type === "llama" ? 7 : 4)) / AGENTS)),
];
const WORK = flag("work", join(tmpdir(), "c2i-scale-bench"));
const KEEP = process.argv.includes("--keep");
const OUT = flag("out", join(ROOT, "bench/scale/results.json"));
const MD = flag("md", join(ROOT, "bench/scale/latest.md"));
/** Which engine a run measured. */
const ENGINE = engineCommit(ROOT);
const log = (line: string) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function runOne(shape: ScaleShape, command: string, model: string, dataset: string, lengths: number[]): Promise<ScaleRun> {
  const out = join(WORK, `out-${shape.id}-${command}`);
  rmSync(out, { recursive: true, force: true });
  const args =
    command === "score"
      ? ["score", "--model", model, "--dataset", dataset, "--blocks", BLOCKS, "--json"]
      : ["adapt", "--model", model, "--dataset", dataset, "--agents", String(AGENTS), "--out", out, "--no-checkpoint", ...adaptSearch(shape), "--json"];
  const sgemmBefore = sgemmGflops(1);
  const load = loadavg()[0]!;
  log(`${shape.id} ${command}: c2i ${args.join(" ")} (sgemm ${sgemmBefore.toFixed(1)} GFLOP/s, load ${load.toFixed(1)})`);
  const r = await runCli(args, { root: ROOT, timeoutMin: TIMEOUT_MIN, log });
  const sgemmAfter = sgemmGflops(1);
  const run: ScaleRun = {
    shape: shape.id, label: shape.label, command, args: args.join(" "), dtype: shape.dtype, parameters: parameterCount(shape), storedBytes: storedBytes(shape),
    engine: ENGINE,
    status: cliStatus(r),
    exitCode: r.code, wallS: r.wallS, peaks: r.peaks.map(({ role, peakMiB }) => ({ role, peakMiB })),
    sgemm: [sgemmBefore, sgemmAfter], loadAtStart: load, date: new Date().toISOString(),
    samples: 100, meanTokens: lengths.reduce((a, b) => a + b, 0) / lengths.length, flops: passFlopsFor(shape, lengths.slice(0, 100), DEFAULT_TASK.answerTokens),
    forwardAllRows: passFlopsFor(shape, lengths, DEFAULT_TASK.answerTokens).forward,
  };
  if (r.stoppedAfterMin !== undefined) run.stoppedAfterMin = r.stoppedAfterMin;
  if (r.code !== 0) run.message = lastWords(r.stderr);
  if (r.code === 0 && command === "score") {
    const report = JSON.parse(r.stdout) as { seconds: number; loss: number; timings?: { svdMs?: number; gradientMs?: number } };
    const svd = report.timings?.svdMs ?? 0;
    const pass = report.timings?.gradientMs ?? 0;
    run.phases = report.timings
      ? [{ name: "SVDs", ms: svd }, { name: "gradient pass", ms: pass }, { name: "start, load, scoring", ms: report.seconds * 1000 - svd - pass }]
      : [{ name: "score (load, gradient pass, SVDs)", ms: report.seconds * 1000 }];
  }
  if (r.code === 0 && command === "adapt") {
    const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as { phases: { name: string; ms: number; shards: number }[]; sets: { test: { n: number } } };
    run.phases = result.phases.map((p) => ({ name: p.name, ms: p.ms, shards: p.shards }));
    run.testSamples = result.sets.test.n;
  }
  log(`${shape.id} ${command}: ${run.status} in ${r.wallS.toFixed(1)} s, exit ${r.code}${run.message ? `: ${run.message}` : ""}`);
  return run;
}

function save(runs: ScaleRun[]): void {
  const all: ScaleRun[] = existsSync(OUT) ? (JSON.parse(readFileSync(OUT, "utf8")) as ScaleRun[]) : [];
  for (const r of runs) {
    const i = all.findIndex((x) => x.shape === r.shape && x.command === r.command && x.engine === r.engine);
    if (i >= 0) all[i] = r;
    else all.push(r);
  }
  writeFileSync(OUT, JSON.stringify(all, null, 2) + "\n");
  const notes = join(ROOT, "bench/scale/notes.md");
  writeFileSync(MD, renderReport(all, existsSync(notes) ? readFileSync(notes, "utf8") : ""));
  writeFileSync(join(ROOT, "bench/scale/scale.svg"), renderPlot(all));
}

mkdirSync(WORK, { recursive: true });
// --render-only rewrites --md from --out (e.g. after editing bench/scale/notes.md) without running anything.
for (const id of process.argv.includes("--render-only") ? [] : SHAPE_IDS) {
  const shape = shapeById(id);
  const model = join(WORK, `model-${id}`);
  const t0 = performance.now();
  writeRandomCheckpoint(model, shape);
  log(`${id}: checkpoint ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(storedBytes(shape) / 2 ** 30).toFixed(2)} GiB ${shape.dtype})`);
  const dataset = join(WORK, `task-${shape.config.vocab_size as number}.jsonl`);
  const lengths = writeTask(dataset, shape.config.vocab_size as number);
  for (const command of COMMANDS) save([await runOne(shape, command, model, dataset, lengths)]);
  if (!KEEP) rmSync(model, { recursive: true, force: true });
}
if (process.argv.includes("--render-only")) save([]);
