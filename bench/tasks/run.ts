// Measures the task layer around the model, side by side in one run: tokenising vs cached batches, protocol
// overhead over bare logitsAt, evaluation vs gradient pass, and padding saved by length-sorted batching.
// Usage: npx tsx bench/tasks/run.ts [--backend wasm|cpu] [--reps 9]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../agent/compute/backend.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { loadModel } from "../../agent/models/load.ts";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { EncodingCache, encodeTask } from "../../agent/tasks/encoding.ts";
import { packBatches } from "../../agent/tasks/batch.ts";
import { protocolFor } from "../../agent/tasks/select.ts";
import { evaluateTask, gradientPass } from "../../agent/tasks/run.ts";
import { adaptTestSplit } from "../../common/split.ts";
import { silentLogger } from "../../common/log.ts";

const { values } = parseArgs({ options: { backend: { type: "string", default: "wasm" }, reps: { type: "string", default: "9" } } });
const reps = Number(values.reps);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}
/** Median wall time of each function over `reps` rounds, one call of each per round, after a warm-up round. */
function interleaved(fs: (() => void)[]): number[] {
  for (const f of fs) f();
  const samples = fs.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) fs.forEach((f, i) => samples[i]!.push(time(f)));
  return samples.map(median);
}

const backend = await selectBackend({ prefer: values.backend as "wasm" | "cpu", logger: silentLogger() });
const dir = mkdtempSync(join(tmpdir(), "c2i-bench-tasks-"));
try {
  const demo = writeDemo(dir);
  const model = await loadModel(demo.model);
  const tokenizer = await loadTokenizer(demo.model);
  const dataset = loadDataset(demo.dataset);
  const { adapt } = adaptTestSplit(dataset.rows.length, { seed: 0 });
  const batchSize = 16;
  const opts = { batchSize, maxTokens: model.config.maxPositions, vocabSize: model.config.vocabSize };
  const protocol = protocolFor(dataset, model.config.causal);

  const cache = new EncodingCache();
  const task = encodeTask(protocol, tokenizer, dataset, adapt, opts);
  const matrices = model.candidates.slice(-2).map((c) => c.name);
  // Interleaved rounds, so drift from other load on the machine hits every measurement alike.
  const [encodeMs, warmMs, coldMs, bareMs, gradMs] = interleaved([
    () => encodeTask(protocol, tokenizer, dataset, adapt, opts),
    () => evaluateTask(model, tokenizer, dataset, adapt, { batchSize, cache }),
    () => evaluateTask(model, tokenizer, dataset, adapt, { batchSize, cache: new EncodingCache() }),
    () => {
      for (const b of task.batches) tf.tidy(() => model.logitsAt(b.tokens, b.positions).dataSync());
    },
    () => gradientPass(model, tokenizer, dataset, adapt, matrices, { batchSize, cache }),
  ]) as [number, number, number, number, number];

  // Padding: length-sorted batches (ours) against the same samples batched in file order.
  const samples = adapt.map((i) => protocol.encode(dataset.rows[i]!, { tokenizer, maxTokens: opts.maxTokens, where: "" }));
  const padded = (batches: { tokens: { batch: number; length: number } }[]) => batches.reduce((n, b) => n + b.tokens.batch * b.tokens.length, 0);
  const sortedTokens = padded(packBatches(samples, batchSize, 0));
  const fileOrder = Array.from({ length: Math.ceil(samples.length / batchSize) }, (_, k) => samples.slice(k * batchSize, (k + 1) * batchSize));
  const fileOrderTokens = fileOrder.reduce((n, group) => n + group.length * Math.max(...group.map((s) => s.sequences[0]!.ids.length)), 0);
  const realTokens = samples.reduce((n, s) => n + s.sequences[0]!.ids.length, 0);

  const lines = [
    `backend: ${backend.kind}${backend.blas ? " + BLAS matMul" : ""}; model: demo (${model.config.modelType}, ${model.config.numLayers} layers, d=${model.config.hiddenSize}, vocab ${model.config.vocabSize}); ${adapt.length} samples, batch ${batchSize}; median of ${reps}`,
    "",
    "| measurement | ms | ratio |",
    "| --- | ---: | ---: |",
    `| tokenise + pack 100 samples (encodeTask) | ${encodeMs.toFixed(2)} | — |`,
    `| evaluateTask, batches cached | ${warmMs.toFixed(2)} | 1.00 |`,
    `| evaluateTask, fresh cache (tokenises) | ${coldMs.toFixed(2)} | ${(coldMs / warmMs).toFixed(2)} × cached |`,
    `| bare logitsAt + download over the same batches | ${bareMs.toFixed(2)} | task layer overhead ${(warmMs / bareMs).toFixed(2)} × |`,
    `| gradientPass, 2 matrices | ${gradMs.toFixed(2)} | ${(gradMs / warmMs).toFixed(2)} × one evaluation |`,
    "",
    `padding: ${realTokens} real tokens; length-sorted batches run ${sortedTokens} token slots, file-order batches ${fileOrderTokens} (${(fileOrderTokens / sortedTokens).toFixed(2)} × more).`,
  ];
  console.log(lines.join("\n"));
  model.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
