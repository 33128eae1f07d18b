// Kernel time breakdown (tf.profile) of one GPT-2-small gradient micro-batch on wasm + BLAS, with fused or composite attention.
// Usage: npx tsx bench/engine/blas.ts --write DIR; npx tsx bench/attention/profile.ts DIR [fused|composite] [--micro-batch 4]
import * as tf from "@tensorflow/tfjs";
import { unregisterAttentionKernels } from "../../agent/compute/attention/register.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { sumGradients } from "../../agent/models/gradient-sum.ts";
import { loadModel } from "../../agent/models/load.ts";
import { silentLogger } from "../../common/log.ts";

const dir = process.argv[2]!;
const mode = process.argv[3] ?? "fused";
const at = process.argv.indexOf("--micro-batch");
const mb = at >= 0 ? Number(process.argv[at + 1]) : 4;
const length = 48;
const answer = 4;
const vocab = 50257;

await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: 1, logger: silentLogger() });
if (mode === "composite") unregisterAttentionKernels("wasm");
const model = await loadModel(dir);
const ids = Int32Array.from({ length: mb * length }, (_, i) => (i * 7919) % vocab);
const positions = new Int32Array(mb * answer);
const targets = new Int32Array(mb * answer);
for (let r = 0; r < mb; r++) {
  for (let j = 0; j < answer; j++) {
    positions[r * answer + j] = r * length + length - answer - 1 + j;
    targets[r * answer + j] = ids[positions[r * answer + j]! + 1]!;
  }
}
const batch = { ids, mask: new Int32Array(mb * length).fill(1), batch: mb, length };
const nll = () =>
  tf.tidy(() => {
    const picked = tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), vocab), "float32");
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(model.logitsAt(batch, positions)), picked))) as tf.Scalar;
  });
const sum = sumGradients(model, model.candidates.map((c) => c.name));
sum.add(nll); // warm-up
const profile = await tf.profile(() => {
  sum.add(nll);
});
// Scopes ("…__op", "unnamed scope") contain kernels already counted; keep kernels only.
const byKernel = new Map<string, number>();
for (const k of profile.kernels) {
  if (k.name.endsWith("__op") || k.name === "unnamed scope") continue;
  byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
}
const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
console.log(`${mode} attention, micro-batch ${mb} × ${length}: kernel time ${total.toFixed(0)} ms`);
for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 18)) {
  console.log(`${name.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%`);
}
sum.dispose();
model.dispose();
