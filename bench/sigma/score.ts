// σ-gradients by projection against today's ∂L/∂W path on a GPT-2-small-shaped model, side by side in one process:
// the same 100 samples × ~48 tokens, the same factors (K = 1, 2), one agent's backend (wasm + BLAS, 1 thread).
// Prints the time of each pass, the bytes each keeps, the largest σ-gradient difference relative to the matrix's
// largest σ-gradient, and whether both rank the (matrix, K) scores the same.
// Run: npx tsx bench/sigma/score.ts [--shape gpt2-small] [--blocks 1,2] [--smallest 20] [--work DIR] [--md bench/sigma/score.md]
import { writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../agent/compute/backend.ts";
import { scoreMatrix } from "../../agent/linalg/blocks.ts";
import { factoredSigmaGradients, factorMatrix } from "../../agent/linalg/factorizations/factorize.ts";
import { fromFloat32 } from "../../agent/linalg/matrix.ts";
import { sigmaProbes } from "../../agent/linalg/sigma-projection.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { loadModel } from "../../agent/models/load.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { gradientPass, sigmaPass } from "../../agent/tasks/run.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { silentLogger } from "../../common/log.ts";
import { sgemmGflops } from "../blas/sgemm.ts";
import { flag } from "../flags.ts";
import { DEFAULT_TASK, writeRandomCheckpoint, writeTask } from "../scale/checkpoint.ts";
import { shapeById } from "../scale/shapes.ts";

const shape = shapeById(flag("shape", "gpt2-small"));
const blockCounts = flag("blocks", "1,2").split(",").map(Number);
const smallest = Number(flag("smallest", "20"));
const work = flag("work", join(tmpdir(), "c2i-sigma-bench"));
const md = flag("md", "");

const modelDir = join(work, `model-${shape.id}`);
const taskFile = join(work, `task-${shape.config.vocab_size}.jsonl`);
writeRandomCheckpoint(modelDir, shape);
writeTask(taskFile, shape.config.vocab_size as number, DEFAULT_TASK);
const sgemmBefore = sgemmGflops(1);
await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: 1, logger: silentLogger() });
const model = await loadModel(modelDir);
const tokenizer = await loadTokenizer(modelDir);
const dataset = loadDataset(taskFile);
const indices = Array.from({ length: 100 }, (_, i) => i);
const names = model.candidates.map((c) => c.name);
const svd = selectSvd({ prefer: "auto" });

let t0 = performance.now();
const factors = new Map(names.map((n) => {
  const info = model.candidates.find((c) => c.name === n)!;
  const w = fromFloat32(info.rows, info.cols, model.readMatrix(n));
  return [n, blockCounts.map((blocks) => factorMatrix(w, svd, { blocks }))] as const;
}));
const factorS = (performance.now() - t0) / 1000;

t0 = performance.now();
const full = gradientPass(model, tokenizer, dataset, indices, names, { batchSize: 16 });
const fullPassS = (performance.now() - t0) / 1000;
t0 = performance.now();
const fullSigmas = new Map(names.map((n) => {
  const info = model.candidates.find((c) => c.name === n)!;
  const g = fromFloat32(info.rows, info.cols, full.grads.get(n)!);
  return [n, factors.get(n)!.map((f) => factoredSigmaGradients(f, g, smallest))] as const;
}));
const fullSigmaS = (performance.now() - t0) / 1000;
const fullBytes = names.reduce((a, n) => a + 4 * full.grads.get(n)!.length, 0);

t0 = performance.now();
const probes = new Map(names.map((n) => [n, factors.get(n)!.map((f) => sigmaProbes(f, smallest))] as const));
const projected = sigmaPass(model, tokenizer, dataset, indices, probes, { batchSize: 16 });
const projectedS = (performance.now() - t0) / 1000;
const projectedBytes = [...probes.values()].flat().reduce((a, p) => a + 8 * p.width, 0);
const sgemmAfter = sgemmGflops(1);

let worst = 0;
const rank = (sig: Map<string, Float64Array[][]>) =>
  names.flatMap((n) => blockCounts.map((b, i) => ({ key: `${n}|K=${b}`, score: scoreMatrix(factors.get(n)![i]!.factors, sig.get(n)![i]!, smallest).score })))
    .sort((a, b) => b.score - a.score);
for (const n of names) {
  blockCounts.forEach((_, i) => {
    const a = fullSigmas.get(n)![i]!;
    const b = projected.sigmas.get(n)![i]!;
    const scale = Math.max(...a.flatMap((part) => Array.from(part).filter((x) => !Number.isNaN(x)).map(Math.abs)));
    a.forEach((part, p) => part.forEach((x, k) => {
      if (!Number.isNaN(x)) worst = Math.max(worst, Math.abs(x - b[p]![k]!) / scale);
    }));
  });
}
const rankFull = rank(fullSigmas);
const rankProjected = rank(projected.sigmas);
const sameTop = (k: number) => rankFull.slice(0, k).every((r, i) => r.key === rankProjected[i]!.key);
const firstDiffer = rankFull.findIndex((r, i) => r.key !== rankProjected[i]!.key);

const lines = [
  `# σ-gradients by projection vs ∂L/∂W (${shape.label}, ${shape.dtype})`,
  "",
  `${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}; one agent's backend: wasm + OpenBLAS, 1 thread; ` +
    `sgemm ${sgemmBefore.toFixed(0)} / ${sgemmAfter.toFixed(0)} GFLOP/s (1 thread) before / after. ${names.length} matrices × K ∈ {${blockCounts}}, smallest ${smallest}, ` +
    `100 samples (micro-batches of 16). Both paths read the same factors (factored once, ${factorS.toFixed(1)} s, not counted below).`,
  "",
  "| path | pass s | σ-gradients from the sums s | total s | bytes kept |",
  "| --- | ---: | ---: | ---: | ---: |",
  `| ∂L/∂W (today's score) | ${fullPassS.toFixed(1)} | ${fullSigmaS.toFixed(1)} | ${(fullPassS + fullSigmaS).toFixed(1)} | ${(fullBytes / 2 ** 20).toFixed(0)} MiB |`,
  `| projection | ${projectedS.toFixed(1)} | — | ${projectedS.toFixed(1)} | ${(projectedBytes / 2 ** 10).toFixed(1)} KiB |`,
  "",
  `- Speed-up: ${((fullPassS + fullSigmaS) / projectedS).toFixed(2)}×. Loss ${full.loss.toFixed(6)} vs ${projected.loss.toFixed(6)}.`,
  `- Largest |σ-gradient difference| / the matrix's largest |σ-gradient|: ${worst.toExponential(2)} (float32 sums on both sides).`,
  `- Score ranking of the ${rankFull.length} (matrix, K): top 5 ${sameTop(5) ? "identical" : "differs"}, top 10 ${sameTop(10) ? "identical" : "differs"}; ` +
    `${firstDiffer < 0 ? "the whole order is identical" : `first difference at place ${firstDiffer + 1}`}.`,
];
process.stdout.write(lines.join("\n") + "\n");
if (md) writeFileSync(md, lines.join("\n") + "\n");
model.dispose();
