// c2i vs LASER at benchmark size (issue 16): on random-weight checkpoints of GPT-2 small and TinyLlama with the FEVER dev
// file, c2i end to end through the real CLI, and LASER's cost per candidate on a sample, extrapolated to its whole grid.
// Run: npx tsx bench/laser/run.ts [--shapes gpt2-small,tinyllama] [--work DIR] [--out bench/laser/latest.md]
//        [--json-out bench/laser/results.json] [--laser-sample 2] [--laser-kind mlp_in] [--laser-rate 0.9] [--test-size 100]
//        [--timeout-min 240] [--agents 2] [--dataset fever:PATH] [--keep] [--smoke] [--render-only]
// --smoke runs the same steps on 2-layer stand-ins of the shapes (bench/laser/smoke.ts), outputs under /tmp/c2i-laser-smoke.
// Records accumulate in --json-out by shape, so shapes can be run one invocation at a time; --out is rendered from all.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { loadDataset, type Dataset } from "../../agent/tasks/dataset.ts";
import { flag } from "../flags.ts";
import { engineCommit } from "../scale/cli.ts";
import { parameterCount, shapeById, type ScaleShape } from "../scale/shapes.ts";
import { compare } from "./compare.ts";
import { c2iCandidates, laserGrid, sampleLayers } from "./grid.ts";
import { prepareModel } from "./model.ts";
import { renderReport, type ShapeRecord } from "./report.ts";
import { c2iFlags, laserSampleFlags, runAdapt, RunRole, type RunContext } from "./runs.ts";
import { SMOKE_SHAPES } from "./smoke.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SMOKE = process.argv.includes("--smoke");
const SMOKE_DIR = join(tmpdir(), "c2i-laser-smoke");
const SHAPE_IDS = flag("shapes", "gpt2-small,tinyllama").split(",");
const SHAPES: readonly ScaleShape[] = SMOKE ? SMOKE_SHAPES.filter((s) => SHAPE_IDS.includes(s.id.replace(/^smoke-/, ""))) : SHAPE_IDS.map(shapeById);
const WORK = flag("work", SMOKE ? SMOKE_DIR : join(tmpdir(), "c2i-laser-bench"));
const OUT = flag("out", SMOKE ? join(SMOKE_DIR, "latest.md") : join(ROOT, "bench/laser/latest.md"));
const JSON_OUT = flag("json-out", SMOKE ? join(SMOKE_DIR, "results.json") : join(ROOT, "bench/laser/results.json"));
const DATASET = flag("dataset", `fever:${resolve(ROOT, "../shared/data/fever/paper_dev.jsonl")}`);
const AGENTS = Number(flag("agents", "2"));
/** Sampled LASER candidates: one layer each (spread over the depth), one kind, one rate, one per evaluate shard. */
const SAMPLE = Number(flag("laser-sample", "2"));
const KIND = flag("laser-kind", "mlp_in");
const RATE = Number(flag("laser-rate", "0.9"));
/** Held-out rows of both runs: no more than c2i's 100-row adaptation set, so the baseline phase's test shard beside it adds nothing. */
const TEST_SIZE = Number(flag("test-size", "100"));
const TIMEOUT_MIN = Number(flag("timeout-min", SMOKE ? "5" : "240"));
const KEEP = process.argv.includes("--keep");
const ENGINE = engineCommit(ROOT);
const log = (line: string) => process.stderr.write(`[laser ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function checkFlags(): void {
  if (SHAPES.length === 0) throw new Error(`--smoke runs the stand-ins of gpt2-small and tinyllama only; --shapes gave ${SHAPE_IDS.join(", ")}`);
  if (!Number.isInteger(AGENTS) || AGENTS < 1) throw new Error(`--agents must be a positive integer, got ${AGENTS}`);
  if (!Number.isInteger(SAMPLE) || SAMPLE < 1 || SAMPLE % AGENTS !== 0) throw new Error(`--laser-sample must be a positive multiple of --agents (${AGENTS}), got ${SAMPLE}`);
  if (!(RATE >= 0 && RATE < 1)) throw new Error(`--laser-rate must be in [0, 1), got ${RATE}`);
  if (!Number.isInteger(TEST_SIZE) || TEST_SIZE < 1) throw new Error(`--test-size must be a positive integer, got ${TEST_SIZE}`);
}

async function benchShape(shape: ScaleShape, dataset: Dataset): Promise<ShapeRecord> {
  const work = join(WORK, shape.id);
  mkdirSync(work, { recursive: true });
  const t0 = performance.now();
  const { dir, ...tokenizer } = await prepareModel(join(work, "model"), shape, dataset, work);
  log(`${shape.id}: checkpoint and tokenizer ready in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${tokenizer.tokenizer}, mean ${tokenizer.tokens.mean.toFixed(1)} tokens per prompt`);
  const modelType = shape.config.model_type as string;
  const grid = laserGrid(modelType, shape.layers);
  const sample = { layers: sampleLayers(shape.layers, SAMPLE), kind: KIND, rate: RATE };
  const ctx: RunContext = { root: ROOT, work, agents: AGENTS, timeoutMin: TIMEOUT_MIN, log };
  // LASER's sample first: its length is known in advance, so a c2i run stopped by --timeout-min still leaves it measured.
  const laser = await runAdapt(RunRole.laserSample, dir, DATASET, laserSampleFlags(sample.layers, sample.kind, sample.rate, TEST_SIZE), ctx);
  const c2i = await runAdapt(RunRole.c2i, dir, DATASET, c2iFlags(grid.matrices, AGENTS, TEST_SIZE), ctx);
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
  return {
    shape: shape.id, label: shape.label, modelType, layers: shape.layers, parameters: parameterCount(shape), dtype: shape.dtype,
    engine: ENGINE, dataset: DATASET, agents: AGENTS, benchArgs: process.argv.slice(2), tokenizer, grid, c2iCandidates: c2iCandidates(), sample,
    c2i, laser, comparison: compare(c2i, laser, grid, AGENTS, 1 / tokenizer.tokens.validationShare),
  };
}

/** The Reading the lead wrote into --out, kept across re-renders. */
function existingReading(): string {
  if (!existsSync(OUT)) return "";
  const text = readFileSync(OUT, "utf8");
  const at = text.indexOf("\n## Reading\n");
  return at < 0 ? "" : text.slice(at + "\n## Reading\n".length);
}

function savedRecords(): ShapeRecord[] {
  return existsSync(JSON_OUT) ? (JSON.parse(readFileSync(JSON_OUT, "utf8")) as ShapeRecord[]) : [];
}

function save(record: ShapeRecord): void {
  const all = savedRecords();
  const i = all.findIndex((r) => r.shape === record.shape);
  if (i >= 0) all[i] = record;
  else all.push(record);
  for (const file of [JSON_OUT, OUT]) mkdirSync(dirname(file), { recursive: true });
  writeFileSync(JSON_OUT, JSON.stringify(all, null, 2) + "\n");
  writeFileSync(OUT, renderReport(all, existingReading()));
  log(`wrote ${JSON_OUT} and ${OUT}`);
}

if (process.argv.includes("--render-only")) {
  // The report again from --json-out (after the renderer or the Reading changed), without running anything.
  writeFileSync(OUT, renderReport(savedRecords(), existingReading()));
  process.exit(0);
}
checkFlags();
mkdirSync(WORK, { recursive: true });
const dataset = loadDataset(DATASET);
log(`${DATASET}: ${dataset.rows.length} rows; shapes ${SHAPES.map((s) => s.id).join(", ")}; ${AGENTS} agents; LASER sample ${SAMPLE} × ${KIND} @ ${RATE}; test size ${TEST_SIZE}`);
for (const shape of SHAPES) save(await benchShape(shape, dataset));
