// Peak wasm heap of one projected gradient micro-batch (the score's pass) on a real model shape with weights in host
// memory, at a few micro-batch sizes, beside agent/tasks/memory.ts's estimate: what the plan's per-token constant
// should be at this size. Each point runs in a fresh child process, since the wasm heap only grows: its size after
// the pass is the pass's peak, rounded up to emscripten's growth step.
// Run: npx tsx bench/scale/heap.ts --shape tinyllama [--rows 2,4,8] [--work DIR]
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../agent/compute/backend.ts";
import { WASM_HEAP_LIMIT_BYTES } from "../../agent/compute/memory.ts";
import { loadModel } from "../../agent/models/load.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { gradientBytesPerToken } from "../../agent/tasks/memory.ts";
import { sigmaPass } from "../../agent/tasks/run.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { silentLogger } from "../../common/log.ts";
import { flag } from "../flags.ts";
import { DEFAULT_TASK, writeRandomCheckpoint, writeTask } from "./checkpoint.ts";
import { randomProbes } from "./probes.ts";
import { shapeById } from "./shapes.ts";

const MIB = 2 ** 20;
const shape = shapeById(flag("shape", "tinyllama"));
const work = flag("work", join(tmpdir(), "c2i-scale-bench"));
const dir = join(work, `model-${shape.id}`);
const taskFile = join(work, `task-${shape.config.vocab_size}.jsonl`);

interface Point {
  rows: number;
  length: number;
  before: number;
  after: number;
  estimate: number;
  seconds: number;
}

const heapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;

/** One micro-batch of the task's first `rows` rows, planned limit lifted so the pass runs exactly that size. */
async function child(rows: number): Promise<Point> {
  await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: 1, logger: silentLogger() });
  const model = await loadModel(dir);
  const tokenizer = await loadTokenizer(dir);
  const dataset = loadDataset(taskFile);
  const indices = Array.from({ length: rows }, (_, i) => i);
  const length = Math.max(...indices.map((i) => tokenizer.encode((dataset.rows[i] as { prompt: string; answer: string }).prompt + " " + (dataset.rows[i] as { answer: string }).answer).length)) + 1;
  const probes = randomProbes(model);
  const before = heapBytes();
  const t0 = performance.now();
  sigmaPass(model, tokenizer, dataset, indices, probes, { batchSize: rows, memoryLimitBytes: Number.MAX_SAFE_INTEGER });
  const seconds = (performance.now() - t0) / 1000;
  const after = heapBytes();
  model.dispose();
  return { rows, length, before, after, estimate: rows * length * gradientBytesPerToken(model.config, length), seconds };
}

function parent(): void {
  writeRandomCheckpoint(dir, shape);
  writeTask(taskFile, shape.config.vocab_size as number, DEFAULT_TASK);
  const self = fileURLToPath(import.meta.url);
  const points: Point[] = [];
  const lines = [
    `${shape.label} (${shape.dtype}), weights in host memory; one projected gradient micro-batch (σ-gradients of every candidate, 20 random pairs), wasm + BLAS (1 thread); heap limit ${Math.round(WASM_HEAP_LIMIT_BYTES / MIB)} MiB`,
    "",
    "| sequences × length | tokens | heap after loading MiB | heap after the pass MiB | growth MiB | memory.ts activations estimate MiB | pass s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const rows of flag("rows", "2,4,8").split(",").map(Number)) {
    const c = spawnSync(process.execPath, ["--import", "tsx", self, "--shape", shape.id, "--work", work, "--child", String(rows)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const line = c.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
    if (c.status !== 0 || !line) {
      lines.push(`| ${rows} × ? | — | — | failed (exit ${c.status ?? c.signal}) | — | — | — |`);
      continue;
    }
    const p = JSON.parse(line) as Point;
    points.push(p);
    lines.push(`| ${p.rows} × ${p.length} | ${p.rows * p.length} | ${Math.round(p.before / MIB)} | ${Math.round(p.after / MIB)} | ${Math.round((p.after - p.before) / MIB)} | ${Math.round(p.estimate / MIB)} | ${p.seconds.toFixed(1)} |`);
  }
  if (points.length >= 2) {
    const [lo, hi] = [points[0]!, points[points.length - 1]!];
    const perToken = (hi.after - lo.after) / (hi.rows * hi.length - lo.rows * lo.length);
    const estimated = hi.estimate / (hi.rows * hi.length);
    lines.push("", `the heap grew ${(perToken / MIB).toFixed(2)} MiB per token (${lo.rows * lo.length} → ${hi.rows * hi.length} tokens); memory.ts plans ${(estimated / MIB).toFixed(2)} MiB per token`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

if (process.argv.includes("--child")) {
  process.stdout.write(JSON.stringify(await child(Number(flag("child", "1")))) + "\n");
} else parent();
