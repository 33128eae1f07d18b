// Peak wasm heap of one GPT-2-small gradient micro-batch at a few (sequences, length) points, beside
// agent/tasks/memory.ts's estimate: the calibration of that estimate, reproducible.
// Usage: npx tsx bench/engine/heap.ts [--model DIR (from bench/engine/blas.ts --write DIR)] [--points 4x48,8x48,16x48,4x128]
// Each point runs in a fresh child process (wasm + BLAS, 1 OpenBLAS thread), since the wasm heap only grows:
// its size after the pass is the pass's peak, rounded up to emscripten's growth step (≤ 96 MiB).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../agent/compute/backend.ts";
import { WASM_HEAP_LIMIT_BYTES } from "../../agent/compute/memory.ts";
import { loadModel } from "../../agent/models/load.ts";
import { gradientBytesPerToken } from "../../agent/tasks/memory.ts";
import { silentLogger } from "../../common/log.ts";
import { answerBatches, timedGradientPass } from "./passes.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const MIB = 2 ** 20;

function heapBytes(): number {
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
}

async function child(dir: string, rows: number, length: number): Promise<void> {
  await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: 1, logger: silentLogger() });
  const model = await loadModel(dir);
  const [work] = answerBatches({ samples: rows, length, answer: 4, microBatch: rows, vocab: model.config.vocabSize });
  const names = model.candidates.map((c) => c.name);
  // As agent/tasks/run.ts plans it: what is held, the sums and the head's copy, then the per-token cost.
  const held = tf.memory().numBytes;
  const pass = model.candidates.reduce((a, c) => a + 4 * c.rows * c.cols, 0) + 4 * model.config.vocabSize * model.config.hiddenSize;
  const estimate = held + pass + rows * length * gradientBytesPerToken(model.config, length);
  const before = heapBytes();
  const { seconds } = timedGradientPass(model, names, [work!], rows * 4);
  const after = heapBytes();
  model.dispose();
  process.stdout.write(JSON.stringify({ rows, length, before, after, estimate, seconds }) + "\n");
}

function parent(): void {
  const points = arg("--points", "4x48,8x48,16x48,4x128").split(",").map((p) => p.split("x").map(Number) as [number, number]);
  const reuse = process.argv.includes("--model");
  const dir = reuse ? arg("--model", "") : mkdtempSync(join(tmpdir(), "c2i-bench-heap-"));
  const self = fileURLToPath(import.meta.url);
  try {
    if (!reuse) {
      const w = spawnSync(process.execPath, ["--import", "tsx", join(self, "..", "blas.ts"), "--write", dir], { stdio: "inherit" });
      if (w.status !== 0) throw new Error("writing the GPT-2-small checkpoint failed");
    }
    const lines = [
      `GPT-2-small shapes, one gradient micro-batch, ∂L/∂W of all 48 matrices, wasm + BLAS (1 thread); heap limit ${Math.round(WASM_HEAP_LIMIT_BYTES / MIB)} MiB`,
      "",
      "| sequences × length | tokens | heap after loading MiB | heap after the pass MiB | memory.ts estimate MiB | pass s |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    ];
    const peaks: { tokens: number; after: number; length: number }[] = [];
    for (const [rows, length] of points) {
      const c = spawnSync(process.execPath, ["--import", "tsx", self, "--child", dir, String(rows), String(length)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
      const line = c.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
      if (c.status !== 0 || !line) {
        lines.push(`| ${rows} × ${length} | ${rows * length} | — | failed (exit ${c.status ?? c.signal}) | — | — |`);
        continue;
      }
      const r = JSON.parse(line) as { before: number; after: number; estimate: number; seconds: number };
      peaks.push({ tokens: rows * length, after: r.after, length });
      lines.push(`| ${rows} × ${length} | ${rows * length} | ${Math.round(r.before / MIB)} | ${Math.round(r.after / MIB)} | ${Math.round(r.estimate / MIB)} | ${r.seconds.toFixed(1)} |`);
    }
    // Growth per token between the smallest and largest micro-batch of the same length.
    for (const length of new Set(peaks.map((p) => p.length))) {
      const same = peaks.filter((p) => p.length === length).sort((a, b) => a.tokens - b.tokens);
      if (same.length < 2) continue;
      const [lo, hi] = [same[0]!, same[same.length - 1]!];
      lines.push("", `length ${length}: the heap grew ${((hi.after - lo.after) / (hi.tokens - lo.tokens) / MIB).toFixed(2)} MiB per token (${lo.tokens} → ${hi.tokens} tokens)`);
    }
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    if (!reuse) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--child")) {
  const i = process.argv.indexOf("--child");
  await child(process.argv[i + 1]!, Number(process.argv[i + 2]), Number(process.argv[i + 3]));
} else parent();
