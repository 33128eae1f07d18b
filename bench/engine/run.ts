// Engine bench: forward+backward tokens/s of a GPT-2-small-shaped model on wasm and cpu, beside the plain matMul peak.
// Run: npx tsx bench/engine/run.ts [--samples 100] [--tokens 48] [--micro 5] [--wasm-samples 100] [--cpu-samples 2] [--backends wasm,cpu] [--blas off|auto]
// Fewer measured samples than --samples are extrapolated linearly, and the table says so.
import * as tf from "@tensorflow/tfjs";
import { selectBackend, wasmBinaryDir } from "../../agent/compute/backend.ts";
import { silentLogger } from "../../common/log.ts";
import { flag } from "../flags.ts";
import { passFlops } from "./flops.ts";
import { randomGpt2 } from "./model.ts";
import { answerLoss, makeSamples, microBatches } from "./workload.ts";

const SAMPLES = Number(flag("samples", "100"));
const TOKENS = Number(flag("tokens", "48"));
const MICRO = Number(flag("micro", "5"));
const WASM_SAMPLES = Number(flag("wasm-samples", flag("samples", "100")));
const CPU_SAMPLES = Number(flag("cpu-samples", "2"));
const BACKENDS = flag("backends", "wasm,cpu").split(",");
const BLAS = flag("blas", "off") as "off" | "auto";

/** GFLOP/s of a [m,k]·[k,n] product (optionally transposed operands), repeated for ≥ minMs. */
function matMulRate(m: number, k: number, n: number, ta = false, tb = false, minMs = 1500): number {
  return tf.tidy(() => {
    const a = tf.randomNormal(ta ? [k, m] : [m, k]) as tf.Tensor2D;
    const b = tf.randomNormal(tb ? [n, k] : [k, n]) as tf.Tensor2D;
    tf.matMul(a, b, ta, tb).dataSync();
    let reps = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs || reps < 2) {
      const c = tf.matMul(a, b, ta, tb);
      c.dataSync();
      c.dispose();
      reps++;
    }
    return (2 * m * k * n * reps) / ((performance.now() - t0) / 1000) / 1e9;
  });
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);
const lines: string[] = [];
const say = (s: string) => {
  console.log(s);
  lines.push(s);
};

async function transposedKernelComparison(): Promise<void> {
  // The stock wasm kernel, measured before our fast path replaces it (same process, same shapes).
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(wasmBinaryDir());
  await tf.setBackend("wasm");
  const shapes = { plain: [480, 768, 768, false, false], dX: [480, 768, 768, false, true], dW: [768, 480, 768, true, false] } as const;
  const stock = Object.fromEntries(Object.entries(shapes).map(([k, [m, kk, n, ta, tb]]) => [k, matMulRate(m, kk, n, ta, tb, 800)]));
  await selectBackend({ prefer: "wasm", blas: "off", logger: silentLogger() });
  const fast = Object.fromEntries(Object.entries(shapes).map(([k, [m, kk, n, ta, tb]]) => [k, matMulRate(m, kk, n, ta, tb, 800)]));
  say(`| wasm matMul 480×768·768×768 | stock kernel GFLOP/s | with c2i fast path GFLOP/s | speed-up |`);
  say(`| --- | --- | --- | --- |`);
  for (const k of Object.keys(shapes)) {
    const label = k === "plain" ? "plain x·W" : k === "dX" ? "transposeB (dX = dY·Wᵀ)" : "transposeA (dW = Xᵀ·dY)";
    say(`| ${label} | ${fmt(stock[k]!)} | ${fmt(fast[k]!)} | ${fmt(fast[k]! / stock[k]!)}× |`);
  }
}

async function engine(backend: "wasm" | "cpu"): Promise<void> {
  const chosen = await selectBackend({ prefer: backend, blas: BLAS, logger: silentLogger() });
  const peak = backend === "wasm" ? matMulRate(960, 768, 3072) : matMulRate(240, 768, 3072, false, false, 3000);
  const samples = Math.min(backend === "wasm" ? WASM_SAMPLES : CPU_SAMPLES, SAMPLES);
  const extrapolate = SAMPLES / samples;
  const model = randomGpt2();
  try {
    const names = model.candidates.map((c) => c.name);
    const perLayer = model.candidates.filter((c) => c.layer === 0).reduce((a, c) => a + c.rows * c.cols, 0);
    const all = makeSamples(SAMPLES, TOKENS, model.config.vocabSize);
    const batches = microBatches(all.slice(0, samples), MICRO, SAMPLES);
    const flops = passFlops(model.config, perLayer, batches);
    const realTokens = batches.reduce((a, b) => a + b.realTokens, 0);
    const computedTokens = batches.reduce((a, b) => a + b.batch.batch * b.batch.length, 0);

    // Warm-up on two samples (kernel set-up, derived tensors), not timed.
    const warm = microBatches(all.slice(0, 2), 2, SAMPLES)[0]!;
    model.gradients(names.slice(0, 1), answerLoss(model, warm));

    const sums = new Map(model.candidates.map((c) => [c.name, new Float64Array(c.rows * c.cols)]));
    let loss = 0;
    const t0 = performance.now();
    for (const mb of batches) {
      const { value, grads } = model.gradients(names, answerLoss(model, mb));
      loss += value;
      for (const [n, g] of grads) {
        const s = sums.get(n)!;
        for (let i = 0; i < g.length; i++) s[i]! += g[i]!;
      }
    }
    const gradSeconds = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    for (const mb of batches) tf.tidy(() => model.logitsAt(mb.batch, mb.positions).dataSync());
    const evalSeconds = (performance.now() - t1) / 1000;

    const gradRate = flops.gradient / gradSeconds / 1e9;
    const evalRate = flops.forward / evalSeconds / 1e9;
    const note = extrapolate === 1 ? "measured" : `measured on ${samples} samples, ×${extrapolate} extrapolated`;
    say(`| ${backend}${chosen.blas ? " + BLAS" : ""} | ${fmt(peak)} | ${fmt(realTokens / gradSeconds, 0)} | ${fmt(gradRate)} | ${fmt((100 * gradRate) / peak, 0)}% | ${fmt(gradSeconds * extrapolate)} s (${note}) | ${fmt(evalSeconds * extrapolate, 2)} s | ${fmt(evalRate)} | ${fmt((flops.gradient * extrapolate) / 1e12, 2)} TFLOP, ${computedTokens} tokens computed for ${realTokens} real (loss ${fmt(loss * extrapolate, 3)}) |`);
    if (!Number.isFinite(loss)) throw new Error("non-finite loss");
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  say(`# bench/engine — ${new Date().toISOString()} — ${SAMPLES} samples × ~${TOKENS} tokens, micro-batches of ${MICRO}, GPT-2-small shape, all 48 candidate matrices`);
  say("");
  if (BACKENDS.includes("wasm")) {
    await transposedKernelComparison();
    say("");
  }
  say(`| backend | plain matMul GFLOP/s | gradient pass tokens/s | gradient pass GFLOP/s | share of matMul peak | 100-sample gradient pass | 100-sample forward eval | eval GFLOP/s | work |`);
  say(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
  for (const b of BACKENDS) await engine(b as "wasm" | "cpu");
}

await main();
