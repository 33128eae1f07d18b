// BF16 → float32 widening, the JavaScript loop (agent/checkpoint/dtype.ts decodeBF16) vs WebAssembly SIMD
// (agent/checkpoint/bf16-widen.ts), side by side in one run on random-sign values (as real weights are: the
// JavaScript loop is several times slower on them than on non-negative ones), beside the sgemm that consumes each
// widened step: a host product of `tokens` rows by a TinyLlama MLP matrix (2048 × 5632) in 16 MiB steps.
// Run: npx tsx bench/scale/widen.ts [--tokens 144] [--rounds 3]
import { Bf16Widener } from "../../agent/checkpoint/bf16-widen.ts";
import { decodeBF16 } from "../../agent/checkpoint/dtype.ts";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { widenRowsPerStep } from "../../agent/models/host-matrix.ts";
import { mulberry32 } from "../../common/random.ts";
import { flag } from "../flags.ts";

const TOKENS = Number(flag("tokens", "144"));
const ROUNDS = Number(flag("rounds", "3"));
const [ROWS, COLS] = [5632, 2048];
const rand = mulberry32(3);
const words = Uint16Array.from({ length: ROWS * COLS }, () => Math.floor(rand() * 65536));
const step = widenRowsPerStep(COLS);
const blas = loadOpenBlas();
blas.setThreads(1);
const x = Float32Array.from({ length: TOKENS * COLS }, () => rand() - 0.5);
const out = new Float32Array(TOKENS * ROWS);
const scratch = new Float32Array(step * COLS);
const widener = new Bf16Widener();

/** ms spent widening and in sgemm for one product x·Wᵀ, widening each step with `widen`. */
function product(widen: (w: Uint16Array) => Float32Array): { widenMs: number; sgemmMs: number } {
  let widenMs = 0;
  let sgemmMs = 0;
  for (let r0 = 0; r0 < ROWS; r0 += step) {
    const r1 = Math.min(ROWS, r0 + step);
    let t = performance.now();
    const part = widen(words.subarray(r0 * COLS, r1 * COLS));
    widenMs += performance.now() - t;
    t = performance.now();
    blas.sgemm(false, true, TOKENS, r1 - r0, COLS, 1, x, COLS, part, COLS, 0, out.subarray(r0), ROWS);
    sgemmMs += performance.now() - t;
  }
  return { widenMs, sgemmMs };
}

const ways = {
  "JavaScript loop (decodeBF16)": (w: Uint16Array) => {
    const part = scratch.subarray(0, w.length);
    decodeBF16(w, part);
    return part;
  },
  "WebAssembly SIMD (Bf16Widener)": (w: Uint16Array) => widener.widen(w),
};
const best = new Map<string, { widenMs: number; sgemmMs: number }>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, widen] of Object.entries(ways)) {
    const r = product(widen);
    const prev = best.get(name);
    if (prev === undefined || r.widenMs < prev.widenMs) best.set(name, r);
  }
}
const values = ROWS * COLS;
const lines = [
  `x [${TOKENS} × ${COLS}] · Wᵀ, W ${ROWS} × ${COLS} BF16 widened ${step} rows at a time; best of ${ROUNDS} rounds`,
  "| widening | ns per value | widening ms | sgemm ms | widening / sgemm |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...[...best].map(([name, r]) => `| ${name} | ${((r.widenMs * 1e6) / values).toFixed(2)} | ${r.widenMs.toFixed(1)} | ${r.sgemmMs.toFixed(1)} | ${(r.widenMs / r.sgemmMs).toFixed(2)} |`),
];
const [js, simd] = [...best.values()];
lines.push(`SIMD widening is ${(js!.widenMs / simd!.widenMs).toFixed(1)}× the JavaScript loop`);
process.stdout.write(lines.join("\n") + "\n");
