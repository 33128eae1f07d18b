// Where the fused kernel's time goes: its cblas_sgemm calls vs its JS softmax loops, forward and backward, on raw arrays.
// Usage: npx tsx bench/attention/split.ts [--batch 16] [--reps 7]   (GPT-2-small heads: 12 × 64, T = 48, causal)
import { biasedSoftmaxRows, softmaxBackwardRows } from "../../agent/compute/attention/softmax.ts";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}

const B = Number(arg("--batch", "16"));
const reps = Number(arg("--reps", "7"));
const [H, T, D] = [12, 48, 64];
const row = 3 * H * D;
const scale = 1 / Math.sqrt(D);
const blas = loadOpenBlas();
blas.setThreads(1);

let seed = 9;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5) * 2;
const qkv = Float32Array.from({ length: B * T * row }, rand);
const dy = Float32Array.from({ length: B * T * H * D }, rand);
const grad = new Float32Array(B * T * row);
const probs = new Float32Array(B * H * T * T);
const out = new Float32Array(B * T * H * D);
const dp = new Float32Array(T * T);
const bias = new Float32Array(B * T * T);
for (let b = 0; b < B; b++) for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) bias[(b * T + i) * T + j] = j <= i ? 0 : -1e9;

/** Same loop nest and calls as kernels.ts on the GPT-2 [q|k|v] layout; returns [gemm ms, softmax ms] per phase. */
function once(): { fwdGemm: number; fwdSoftmax: number; bwdGemm: number; bwdSoftmax: number } {
  const t = { fwdGemm: 0, fwdSoftmax: 0, bwdGemm: 0, bwdSoftmax: 0 };
  let s = 0;
  const lap = () => {
    const n = performance.now();
    const d = n - s;
    s = n;
    return d;
  };
  grad.fill(0);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const pOff = (b * H + h) * T * T;
      const p = probs.subarray(pOff, pOff + T * T);
      const q = b * T * row + h * D;
      lap();
      blas.sgemm(false, true, T, T, D, scale, qkv.subarray(q), row, qkv.subarray(q + H * D), row, 0, p, T);
      t.fwdGemm += lap();
      biasedSoftmaxRows(p, T, bias, b * T * T);
      t.fwdSoftmax += lap();
      blas.sgemm(false, false, T, D, T, 1, p, T, qkv.subarray(q + 2 * H * D), row, 0, out.subarray(b * T * H * D + h * D), H * D);
      t.fwdGemm += lap();
    }
  }
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const pOff = (b * H + h) * T * T;
      const p = probs.subarray(pOff, pOff + T * T);
      const dO = dy.subarray(b * T * H * D + h * D);
      const [q, k, v] = [b * T * row + h * D, b * T * row + H * D + h * D, b * T * row + 2 * H * D + h * D];
      lap();
      blas.sgemm(true, false, T, D, T, 1, p, T, dO, H * D, 1, grad.subarray(v), row);
      blas.sgemm(false, true, T, T, D, 1, dO, H * D, qkv.subarray(v), row, 0, dp, T);
      t.bwdGemm += lap();
      softmaxBackwardRows(dp, probs, pOff, T);
      t.bwdSoftmax += lap();
      blas.sgemm(false, false, T, D, T, scale, dp, T, qkv.subarray(k), row, 1, grad.subarray(q), row);
      blas.sgemm(true, false, T, D, T, scale, dp, T, qkv.subarray(q), row, 1, grad.subarray(k), row);
      t.bwdGemm += lap();
    }
  }
  return t;
}

once();
const runs = Array.from({ length: reps }, once);
const median = (key: keyof ReturnType<typeof once>) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(reps / 2)]!;
console.log(`fused attention kernel split, B = ${B}, 12 heads × 64, T = 48, 1 OpenBLAS thread, median of ${reps}:`);
console.log(`forward:  sgemm ${median("fwdGemm").toFixed(2)} ms, softmax ${median("fwdSoftmax").toFixed(2)} ms`);
console.log(`backward: sgemm ${median("bwdGemm").toFixed(2)} ms, softmax backward ${median("bwdSoftmax").toFixed(2)} ms`);
