// Times wasm elementwise kernels (why gelu_new runs as x·σ(2u)), GatherV2 stock vs c2i's row copy, in ns/element,
// and the BLAS _FusedMatMul's per-column bias: a JavaScript pass (applyEpilogue) vs row copies + beta = 1, beside sgemm.
// Usage: npx tsx bench/kernels/run.ts [--budget-ms 1000] [--rows 384] [--threads 2]
// One process, wasm backend without BLAS kernels; each figure is the best call within the budget (the machine is shared).
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { wasmBinaryDir } from "../../agent/compute/backend.ts";
import { applyEpilogue } from "../../agent/compute/blas/epilogue.ts";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { registerRowGatherWasm } from "../../agent/compute/kernels/gather.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const budgetMs = arg("--budget-ms", 1000);
const gatherRows = arg("--rows", 384);
const threads = arg("--threads", 2);

/** Seconds of the fastest call after one warm-up, calling until the budget has passed (at most 50 calls). */
function bestSeconds(fn: () => tf.Tensor | void): number {
  fn()?.dispose();
  let best = Infinity;
  const start = performance.now();
  for (let reps = 0; reps < 50 && (reps === 0 || performance.now() - start < budgetMs); reps++) {
    const t = performance.now();
    const out = fn();
    best = Math.min(best, (performance.now() - t) / 1000);
    out?.dispose();
  }
  return best;
}

setWasmPaths(wasmBinaryDir());
await tf.setBackend("wasm");

const x = tf.randomUniform([768, 3072], -3, 3);
const y = tf.randomUniform([768, 3072], -3, 3);
const n = x.size;
const ns = (s: number, elements: number) => ((s * 1e9) / elements).toFixed(1);

const lines = [
  `wasm backend, ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD"}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`,
  "",
  "| kernel on 768×3072 float32 | ms per call | ns/element |",
  "| --- | ---: | ---: |",
];
const elementwise: [string, () => tf.Tensor][] = [
  ["Tanh", () => tf.tanh(x)],
  ["Pow (x³)", () => tf.pow(x, 3)],
  ["Sigmoid", () => tf.sigmoid(x)],
  ["Mul", () => tf.mul(x, y)],
];
for (const [name, fn] of elementwise) {
  const s = bestSeconds(fn);
  lines.push(`| ${name} | ${(s * 1000).toFixed(2)} | ${ns(s, n)} |`);
}

// An embedding lookup as the models do it: `gatherRows` random rows of a 50257×768 table.
const table = tf.randomUniform([50257, 768]);
const ids = tf.tensor1d(Int32Array.from({ length: gatherRows }, (_, i) => (i * 7919) % 50257), "int32");
const gather = () => tf.gather(table, ids, 0);
const stock = bestSeconds(gather);
const expected = gather();
if (!registerRowGatherWasm()) throw new Error("wasm has no GatherV2 kernel");
const ours = bestSeconds(gather);
const same = tf.tidy(() => tf.all(tf.equal(gather(), expected)).dataSync()[0] === 1);
const elements = gatherRows * 768;
lines.push(
  "",
  `| GatherV2, ${gatherRows} rows of a 50257×768 table (axis 0) | ms per call | ns/element |`,
  "| --- | ---: | ---: |",
  `| stock wasm kernel | ${(stock * 1000).toFixed(2)} | ${ns(stock, elements)} |`,
  `| c2i row copy (agent/compute/kernels/gather.ts) | ${(ours * 1000).toFixed(3)} | ${ns(ours, elements)} |`,
  "",
  `row copy ${(stock / ours).toFixed(0)}× faster; outputs ${same ? "bitwise equal" : "DIFFER"}`,
);

// The dense layer's bias on a 768×768·768×3072 product. Production has detached an ArrayBuffer by now (tsx
// loading pino), which slows JavaScript typed-array loops (bench/svd/detach.ts): do the same first.
const detached = new ArrayBuffer(8);
structuredClone(detached, { transfer: [detached] });
const blas = loadOpenBlas();
blas.setThreads(threads);
const [m, k, cols] = [768, 768, 3072];
const A = new Float32Array(m * k).fill(0.5);
const B = new Float32Array(k * cols).fill(0.5);
const C = new Float32Array(m * cols);
const bias = Float32Array.from({ length: cols }, (_, j) => j / cols);
const sgemm = bestSeconds(() => blas.sgemm(false, false, m, cols, k, 1, A, k, B, cols, 0, C, cols));
const jsPass = bestSeconds(() => applyEpilogue(C, [m, cols], { bias: { values: bias, shape: [cols] }, activation: "linear" }));
const rowCopy = bestSeconds(() => {
  for (let at = 0; at < C.length; at += cols) C.set(bias, at);
});
const pct = (s: number) => `${((s / sgemm) * 100).toFixed(1)}%`;
lines.push(
  "",
  `| per-column bias on a 768×768·768×3072 product (${threads} OpenBLAS thread${threads === 1 ? "" : "s"}) | ms | share of the sgemm |`,
  "| --- | ---: | ---: |",
  `| sgemm alone | ${(sgemm * 1000).toFixed(2)} | 100% |`,
  `| JavaScript pass over the output (applyEpilogue, ArrayBuffer protector invalidated) | ${(jsPass * 1000).toFixed(2)} | ${pct(jsPass)} |`,
  `| bias copied into each output row, then the GEMM adds (beta = 1; what the kernel does) | ${(rowCopy * 1000).toFixed(2)} | ${pct(rowCopy)} |`,
);
process.stdout.write(lines.join("\n") + "\n");
