// Where the time of the GPT-2-small-shaped evaluation and gradient pass goes, kernel by kernel (tf.profile).
// Usage: npx tsx bench/engine/profile.ts [--model DIR (from blas.ts --write DIR)] [--micro-batch 4]
//        [--threads 1] [--blas auto|off] [--top 15]
// Prints, for one evaluation micro-batch and one gradient micro-batch, each kernel's share of the summed
// kernel time (nested op scopes excluded, so shares add up to 100%), then the matMul share. tf.profile
// times each kernel separately, so the totals run above the unprofiled wall time; read the shares.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../agent/compute/backend.ts";
import { loadModel } from "../../agent/models/load.ts";
import { silentLogger } from "../../common/log.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const microBatch = Number(arg("--micro-batch", "4"));
const threads = Number(arg("--threads", "1"));
const top = Number(arg("--top", "15"));
const length = 48;
const answer = 4;
const MATMULS = new Set(["BatchMatMul", "_FusedMatMul"]);

function table(title: string, kernels: { name: string; kernelTimeMs: unknown }[], wallMs: number): string {
  const by = new Map<string, number>();
  for (const k of kernels) {
    // Op scopes ("fusedMatMul__op", "unnamed scope" of customGrad) contain kernels listed on their own.
    if (k.name.endsWith("__op") || k.name.includes("scope") || typeof k.kernelTimeMs !== "number") continue;
    by.set(k.name, (by.get(k.name) ?? 0) + k.kernelTimeMs);
  }
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  const matmul = [...by].filter(([n]) => MATMULS.has(n)).reduce((a, [, v]) => a + v, 0);
  const rows = [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([n, v]) => `| ${n} | ${v.toFixed(1)} | ${((100 * v) / total).toFixed(1)}% |`);
  return [
    `### ${title}: unprofiled wall ${wallMs.toFixed(0)} ms per micro-batch; profiled kernels ${total.toFixed(0)} ms, matMuls ${((100 * matmul) / total).toFixed(0)}%`,
    "",
    "| kernel | ms | share |",
    "| --- | ---: | ---: |",
    ...rows,
    "",
  ].join("\n");
}

async function child(dir: string): Promise<void> {
  const backend = await selectBackend({ prefer: "wasm", blas: arg("--blas", "auto") as "auto" | "off", blasThreads: threads, logger: silentLogger() });
  const model = await loadModel(dir);
  const ids = Int32Array.from({ length: microBatch * length }, (_, i) => (i * 7919) % model.config.vocabSize);
  const positions = new Int32Array(microBatch * answer);
  const targets = new Int32Array(microBatch * answer);
  for (let r = 0; r < microBatch; r++) {
    for (let j = 0; j < answer; j++) {
      positions[r * answer + j] = r * length + length - answer - 1 + j;
      targets[r * answer + j] = ids[r * length + length - answer + j]!;
    }
  }
  const batch = { ids, mask: new Int32Array(microBatch * length).fill(1), batch: microBatch, length };
  const evaluate = () => {
    const a = tf.tidy(() => tf.argMax(model.logitsAt(batch, positions), 1));
    a.dataSync();
    a.dispose();
  };
  const nll = () =>
    tf.tidy(() => {
      const picked = tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), model.config.vocabSize), "float32");
      return tf.neg(tf.sum(tf.mul(tf.logSoftmax(model.logitsAt(batch, positions)), picked))) as tf.Scalar;
    });
  const sum = model.gradientSum(model.candidates.map((c) => c.name));
  const wall = (f: () => void) => {
    f();
    const t = performance.now();
    for (let i = 0; i < 3; i++) f();
    return (performance.now() - t) / 3;
  };
  const evalWall = wall(evaluate);
  const gradWall = wall(() => sum.add(nll));
  // Rendered right away: tfjs reuses the object tf.profile returns for the next profile.
  const evalTable = table("evaluation", (await tf.profile(evaluate)).kernels, evalWall);
  const gradTable = table("gradient pass (all 48 matrices)", (await tf.profile(() => void sum.add(nll))).kernels, gradWall);
  sum.dispose();
  model.dispose();
  process.stdout.write(
    [
      `GPT-2-small shapes, micro-batch ${microBatch} × ${length} tokens, backend ${backend.kind}, BLAS ${backend.blas ? `on (${threads} threads)` : "off"}`,
      "",
      evalTable,
      gradTable,
    ].join("\n"),
  );
}

if (process.argv.includes("--child")) {
  await child(arg("--dir", ""));
} else {
  // The model is written by blas.ts (same weights); a fresh one is made when --model is not given.
  const given = arg("--model", "");
  const dir = given || mkdtempSync(join(tmpdir(), "c2i-profile-"));
  try {
    if (!given) spawnSync(process.execPath, ["--import", "tsx", join(fileURLToPath(new URL(".", import.meta.url)), "blas.ts"), "--write", dir], { stdio: "inherit" });
    const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", "--dir", dir, ...process.argv.slice(2)], { stdio: "inherit" });
    process.exitCode = r.status ?? 1;
  } finally {
    if (!given) rmSync(dir, { recursive: true, force: true });
  }
}
