// Benchmark: TypeScript SVD vs LAPACK dgesdd (koffi) vs numpy on the same matrices, and GPT-2-small-shaped scoring.
// Run: npx tsx bench/svd/run.ts [--repeats N] [--threads N] [--skip-scoring] [--compare-serial] [--scoring-svd lapack|typescript]
// --threads N sets OPENBLAS_NUM_THREADS for LAPACK here and for numpy alike (fairer on a loaded machine).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { factorBlocks, scoreMatrix, sigmaGradients } from "../../agent/linalg/blocks.ts";
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { SvdWorkers } from "../../agent/linalg/parallel.ts";
import { loadLapackSvd } from "../../agent/linalg/svd/lapack.ts";
import type { Svd } from "../../agent/linalg/svd/types.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { detachLikeProduction, seeded, smallestRelErr } from "./matrices.ts";

const args = process.argv.slice(2);
const repeats = Number(args[args.indexOf("--repeats") + 1] || 0) || 2;
const threads = args.includes("--threads") ? args[args.indexOf("--threads") + 1] : undefined;
// Which SVD the scoring pool runs: LAPACK (the default on machines that have it) or the TypeScript fallback.
const scoringArg = args.includes("--scoring-svd") ? args[args.indexOf("--scoring-svd") + 1] : "lapack";
if (scoringArg !== "lapack" && scoringArg !== "typescript") throw new Error(`--scoring-svd ${scoringArg}: use lapack or typescript`);
const scoringSvd: "lapack" | "typescript" = scoringArg;
// Read by OpenBLAS when the library loads, so it must be set before loadLapackSvd(); this script is an edge.
if (threads) process.env.OPENBLAS_NUM_THREADS = threads;
const shapes: [number, number][] = [
  [768, 3072],
  [3072, 768],
  [192, 768],
];

/** Best wall time of n runs, with the CPU seconds (all threads) of that run: under load, wall times drift. */
function best(svd: Svd, a: Matrix, n: number): { seconds: number; cpu: number; s: Float64Array } {
  let seconds = Number.POSITIVE_INFINITY;
  let cpu = 0;
  let s: Float64Array = new Float64Array(0);
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    s = svd.decompose(a).s;
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    if (wall < seconds) {
      seconds = wall;
      cpu = (c.user + c.system) / 1e6;
    }
  }
  return { seconds, cpu, s };
}

function runNumpy(mats: Matrix[]): { numpy: string; blas: string; results: { seconds: number; cpu: number; s: number[] }[] } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "c2i-bench-svd-"));
  try {
    const matrices = mats.map((m, i) => {
      const file = join(dir, `m${i}.f64`);
      writeFileSync(file, new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      return { file, rows: m.rows, cols: m.cols };
    });
    const specFile = join(dir, "spec.json");
    writeFileSync(specFile, JSON.stringify({ repeats, matrices }));
    const script = fileURLToPath(new URL("./numpy_svd.py", import.meta.url));
    return JSON.parse(execFileSync("python3", [script, specFile], { encoding: "utf8", maxBuffer: 1 << 26 }));
  } catch (e) {
    console.log(`numpy: not measured (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(detachLikeProduction());
const lapack = loadLapackSvd();
const ts = new TypeScriptSvd();
// The JavaScript-loops path is the arithmetic of the TypeScript SVD before its SIMD kernels, bit for bit.
const jsLoops = new TypeScriptSvd({ kernels: "javascript" });
const mats = shapes.map(([r, c], i) => seeded(r, c, 100 + i));
const np = runNumpy(mats);
if (np) console.log(`numpy ${np.numpy} (${np.blas}); OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "(unset)"}`);
console.log(`TypeScript SVD kernels: ${ts.simd ? "WebAssembly SIMD (ours)" : "JavaScript loops (no WebAssembly SIMD here)"}`);
console.log(`OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? "(unset)"}; LAPACK: ${lapack.library}; repeats: best of ${repeats} (LAPACK, numpy, TypeScript alike; TypeScript's first run includes its JIT warm-up)`);
const cpuRows: string[] = [];
console.log("shape       | numpy s | LAPACK s | TS s    | LAPACK/numpy | TS/LAPACK | σ20 err TS-vs-LAPACK | σ20 err LAPACK-vs-numpy");
for (let i = 0; i < mats.length; i++) {
  const a = mats[i];
  const lp = best(lapack, a, repeats);
  const t = best(ts, a, repeats);
  const j = best(jsLoops, a, repeats);
  const n = np?.results[i];
  const cells = [
    `${a.rows}×${a.cols}`.padEnd(11),
    n ? n.seconds.toFixed(3).padStart(7) : "    n/a",
    lp.seconds.toFixed(3).padStart(8),
    t.seconds.toFixed(3).padStart(7),
    n ? (lp.seconds / n.seconds).toFixed(2).padStart(12) : "         n/a",
    (t.seconds / lp.seconds).toFixed(2).padStart(9),
    smallestRelErr(t.s, lp.s).toExponential(2).padStart(20),
    n ? smallestRelErr(lp.s, n.s).toExponential(2).padStart(23) : "n/a",
  ];
  console.log(cells.join(" | "));
  cpuRows.push(
    `${`${a.rows}×${a.cols}`.padEnd(11)} | ${n ? n.cpu.toFixed(3).padStart(7) : "    n/a"} | ${lp.cpu.toFixed(3).padStart(8)} | ${t.cpu.toFixed(3).padStart(7)} | ${
      n ? (lp.cpu / n.cpu).toFixed(2).padStart(12) : "         n/a"
    } | ${(t.cpu / lp.cpu).toFixed(2).padStart(9)} | ${j.cpu.toFixed(3).padStart(11)} | ${(j.cpu / lp.cpu).toFixed(2).padStart(15)} | ${smallestRelErr(j.s, lp.s).toExponential(2)}`,
  );
}
console.log("\nCPU seconds of the same runs (all threads; OpenBLAS threads that spin while waiting count too):");
console.log("shape       | numpy   | LAPACK   | TS      | LAPACK/numpy | TS/LAPACK | TS JS-loops | JS-loops/LAPACK | σ20 err JS-loops-vs-LAPACK");
for (const row of cpuRows) console.log(row);

if (!args.includes("--skip-scoring")) await scoring();

/** Scores all 48 candidate matrices of a GPT-2-small-shaped model for K ∈ {1,2,4,8}: pool of LAPACK workers. */
async function scoring(): Promise<void> {
  const layerShapes: [string, number, number][] = [
    ["attn.c_attn", 2304, 768],
    ["attn.c_proj", 768, 768],
    ["mlp.c_fc", 3072, 768],
    ["mlp.c_proj", 768, 3072],
  ];
  const ks = [1, 2, 4, 8];
  const mats: { name: string; w: Matrix; g: Matrix }[] = [];
  for (let layer = 0; layer < 12; layer++) {
    layerShapes.forEach(([name, r, c], j) => {
      const w = seeded(r, c, 1000 + layer * 10 + j);
      const shared = new Float64Array(new SharedArrayBuffer(w.data.byteLength));
      shared.set(w.data);
      mats.push({ name: `h.${layer}.${name}`, w: { rows: r, cols: c, data: shared }, g: seeded(r, c, 5000 + layer * 10 + j) });
    });
  }
  const pool = new SvdWorkers({ prefer: scoringSvd });
  try {
    console.log(`\nscoring ${mats.length} GPT-2-small-shaped matrices × K ∈ {${ks}} with ${await pool.implementation()} on ${
      "worker threads"
    } (smallest s = 20)`);
    // Every block of every (matrix, K) is queued at once; each matrix is scored as soon as its
    // factors arrive and then dropped, as an agent would.
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let svdDone = 0;
    const scores = await Promise.all(
      mats.map(async (m) => {
        const factors = await pool.factorBlocksMany(ks.map((blocks) => ({ w: m.w, blocks })));
        svdDone = performance.now();
        return factors.reduce((sum, f) => sum + scoreMatrix(f, sigmaGradients(f, m.g, { smallest: 20 }), 20).score, 0);
      }),
    );
    const checksum = scores.reduce((a, b) => a + b, 0);
    const t2 = performance.now();
    const cpu = process.cpuUsage(c0);
    console.log(
      `pool: ${((t2 - t0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s in all threads (last SVD done at ${((svdDone - t0) / 1000).toFixed(1)} s); target < 120 s wall; score checksum ${checksum.toExponential(6)}`,
    );
    if (args.includes("--compare-serial")) {
      const sc0 = process.cpuUsage();
      const s0 = performance.now();
      let serialSum = 0;
      for (const m of mats) {
        let sum = 0;
        for (const k of ks) {
          const f = factorBlocks(m.w, k, scoringSvd === "lapack" ? lapack : ts);
          sum += scoreMatrix(f, sigmaGradients(f, m.g, { smallest: 20 }), 20).score;
        }
        serialSum += sum;
      }
      const serial = (performance.now() - s0) / 1000;
      const sc = process.cpuUsage(sc0);
      console.log(`serial (main thread): ${serial.toFixed(1)} s wall, ${((sc.user + sc.system) / 1e6).toFixed(1)} CPU s; pool speed-up ${(serial / ((t2 - t0) / 1000)).toFixed(2)}×; same checksum: ${serialSum === checksum}`);
    }
  } finally {
    await pool.close();
  }
}
