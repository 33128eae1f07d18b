// One agent's two timed passes on a real model shape, without the SVD phase: a 100-sample evaluation and the score's
// gradient pass (σ-gradients projected onto 20 pairs per candidate, K = 1; random orthonormal-ish probes, since the
// cost depends on the shapes only), each as a share of the same run's one-thread sgemm rate; peak RSS of the process.
// Run: npx tsx bench/scale/passes.ts --shape tinyllama [--work DIR] [--batch 16]
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { selectBackend } from "../../agent/compute/backend.ts";
import { loadModel } from "../../agent/models/load.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { evaluateTask, sigmaPass } from "../../agent/tasks/run.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { silentLogger } from "../../common/log.ts";
import { sgemmGflops } from "../blas/sgemm.ts";
import { flag } from "../flags.ts";
import { DEFAULT_TASK, writeRandomCheckpoint, writeTask } from "./checkpoint.ts";
import { shapeById } from "./shapes.ts";
import { randomProbes } from "./probes.ts";
import { passFlopsFor } from "./work.ts";

const shape = shapeById(flag("shape", "gpt2-small"));
const work = flag("work", join(tmpdir(), "c2i-scale-bench"));
const batchSize = Number(flag("batch", "16"));

const dir = join(work, `model-${shape.id}`);
const taskFile = join(work, `task-${shape.config.vocab_size}.jsonl`);
writeRandomCheckpoint(dir, shape);
const lengths = writeTask(taskFile, shape.config.vocab_size as number, DEFAULT_TASK);
const sgemmBefore = sgemmGflops(1);
await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: 1, logger: silentLogger() });
let t0 = performance.now();
const model = await loadModel(dir);
const loadS = (performance.now() - t0) / 1000;
const tokenizer = await loadTokenizer(dir);
const dataset = loadDataset(taskFile);
const indices = Array.from({ length: 100 }, (_, i) => i);

t0 = performance.now();
const evaluation = evaluateTask(model, tokenizer, dataset, indices, { batchSize });
const evalS = (performance.now() - t0) / 1000;

const probes = randomProbes(model);
t0 = performance.now();
const pass = sigmaPass(model, tokenizer, dataset, indices, probes, { batchSize });
const passS = (performance.now() - t0) / 1000;
const sgemmAfter = sgemmGflops(1);
const sgemm = (sgemmBefore + sgemmAfter) / 2;
const flops = passFlopsFor(shape, lengths.slice(0, 100), DEFAULT_TASK.answerTokens);
const share = (f: number, s: number) => `${((f / s / 1e9 / sgemm) * 100).toFixed(0)}%`;
const peakGiB = process.resourceUsage().maxRSS / 2 ** 20;

process.stdout.write(
  [
    `${shape.label} (${shape.dtype}), ${model.candidates.length} candidates, weights in host memory ${((model.hostWeightBytes ?? 0) / 2 ** 30).toFixed(2)} GiB, ` +
      `on the backend ${((model.weightBytes ?? 0) / 2 ** 20).toFixed(1)} MiB; load ${loadS.toFixed(1)} s; micro-batches of ${batchSize}; ` +
      `sgemm (1 thread) ${sgemmBefore.toFixed(0)} / ${sgemmAfter.toFixed(0)} GFLOP/s; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`,
    `| pass | s | TFLOP | share of sgemm |`,
    `| --- | ---: | ---: | ---: |`,
    `| 100-sample evaluation | ${evalS.toFixed(1)} | ${(flops.forward / 1e12).toFixed(2)} | ${share(flops.forward, evalS)} |`,
    `| gradient pass, σ-gradients of all ${model.candidates.length} matrices projected (no dW) | ${passS.toFixed(1)} | ${(flops.projected / 1e12).toFixed(2)} | ${share(flops.projected, passS)} |`,
    `peak RSS ${peakGiB.toFixed(2)} GiB; accuracy ${evaluation.accuracy.toFixed(3)}, loss ${pass.loss.toFixed(4)}`,
  ].join("\n") + "\n",
);
model.dispose();
