// σ-gradients from token projections (agent/linalg/sigma-projection.ts) against the full ∂L/∂W accumulation they replace, side by side.
// Usage: npx tsx bench/sigma/projection.ts [--tokens 4800] [--micro-batch 400] [--smallest 20] [--repeats 5]
// Both sides see the same micro-batches on one OpenBLAS thread; each figure is the best of `repeats` whole passes
// (the machine is shared, so means are mostly noise). Prints a markdown table (bench/sigma/latest.md keeps one).
import { loadavg } from "node:os";
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { type FactoredMatrix, factoredSigmaGradients } from "../../agent/linalg/factorizations/factorize.ts";
import { blocksGrouping, groupingFromAssignment } from "../../agent/linalg/factorizations/grouping.ts";
import type { RowGrouping } from "../../agent/linalg/factorizations/types.ts";
import { fromFloat32 } from "../../agent/linalg/matrix.ts";
import { SigmaProjection, sigmaProbes, type SigmaProbes } from "../../agent/linalg/sigma-projection.ts";
import { mulberry32, type Random } from "../../common/random.ts";
import { flag } from "../flags.ts";
import { detachLikeProduction } from "../svd/matrices.ts";

/** W as m×n (rows = output features): GPT-2-small attention/MLP, and a 1B-class model's attention/MLP. */
const SHAPES: [number, number][] = [
  [768, 768],
  [3072, 768],
  [768, 3072],
  [2048, 2048],
  [5632, 2048],
  [2048, 5632],
];
const BLOCKS = [1, 2, 4, 8];

const tokens = Number(flag("tokens", "4800"));
const microBatch = Number(flag("micro-batch", "400"));
const smallest = Number(flag("smallest", "20"));
const repeats = Number(flag("repeats", "5"));
const batches = Math.ceil(tokens / microBatch);

/**
 * Factors of W's shape whose trailing `smallest` singular pairs are random and the rest zero: all that sigmaProbes
 * reads. The accumulation's cost depends on the shapes only, so no SVD of the large matrices is run.
 */
function syntheticFactors(m: number, n: number, grouping: RowGrouping, random: Random): FactoredMatrix {
  const parts = grouping.ranges.map(({ start, end }) => {
    const rows = end - start;
    const r = Math.min(rows, n);
    const from = Math.max(0, r - smallest);
    const u = new Float64Array(rows * r);
    for (let i = 0; i < rows; i++) for (let k = from; k < r; k++) u[i * r + k] = random() - 0.5;
    const vt = new Float64Array(r * n);
    for (let i = from * n; i < r * n; i++) vt[i] = random() - 0.5;
    const s = Float64Array.from({ length: r }, (_, i) => r - i);
    return { start, end, svd: { u: { rows, cols: r, data: u }, s, vt: { rows: r, cols: n, data: vt } } };
  });
  return { factors: { blocks: grouping.ranges.length, rows: m, cols: n, parts }, transform: {}, grouping };
}

/** Milliseconds of the fastest of `repeats` calls, after one warm-up call. */
function bestMs(run: () => void): number {
  run();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

function bytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

/** Ũ, Ṽ and the scratch of one micro-batch (P and Q, T × width each, plus gathered DY columns). */
function workingSet(p: SigmaProbes, gathered: boolean): number {
  const u = p.parts.reduce((s, part) => s + part.u.length, 0);
  const maxRows = gathered ? Math.max(...p.parts.map((part) => part.rows.length)) : 0;
  return 4 * (u + p.v.length + 2 * microBatch * p.width + microBatch * maxRows);
}

const detached = detachLikeProduction();
const blas = loadOpenBlas();
blas.setThreads(1);
const random = mulberry32(2024);
const started = new Date().toISOString().slice(0, 16).replace("T", " ");
const loadBefore = loadavg()[0]!.toFixed(1);
const rows: string[] = [];

for (const [m, n] of SHAPES) {
  const x = Float32Array.from({ length: microBatch * n }, () => random() - 0.5);
  const dy = Float32Array.from({ length: microBatch * m }, () => random() - 0.5);
  const passOf = (add: (x: Float32Array, dy: Float32Array, t: number) => void) => () => {
    for (let b = 0; b < batches; b++) {
      const t = Math.min(microBatch, tokens - b * microBatch);
      add(x.subarray(0, t * n), dy.subarray(0, t * m), t);
    }
  };
  const g = new Float32Array(m * n);
  const fullMs = bestMs(() => {
    g.fill(0);
    passOf((xb, dyb, t) => blas.sgemm(true, false, m, n, t, 1, dyb, m, xb, n, 1, g, n))();
  });
  for (const blocks of BLOCKS) {
    const factored = syntheticFactors(m, n, blocksGrouping(m, blocks), random);
    const probes = sigmaProbes(factored, smallest);
    const projectionMs = bestMs(() => {
      const acc = new SigmaProjection(probes, blas);
      passOf((xb, dyb, t) => acc.add(xb, dyb, t))();
      acc.read();
    });
    // What the full path still does after its pass (agent/work/run-score.ts): widen G, then Lemma 1 on it. One call.
    const t0 = performance.now();
    factoredSigmaGradients(factored, fromFloat32(m, n, g), smallest);
    const fromGMs = performance.now() - t0;
    // The same K with every K-th row in a part (a K-subspaces-like assignment): DY's columns are gathered.
    let permutedMs: number | undefined;
    if (blocks > 1) {
      const assignment = Int32Array.from({ length: m }, (_, i) => i % blocks);
      const permuted = sigmaProbes(syntheticFactors(m, n, groupingFromAssignment(assignment, blocks), random), smallest);
      permutedMs = bestMs(() => {
        const acc = new SigmaProjection(permuted, blas);
        passOf((xb, dyb, t) => acc.add(xb, dyb, t))();
        acc.read();
      });
    }
    rows.push(
      `| ${m}×${n} | ${blocks} | ${fullMs.toFixed(1)} | ${projectionMs.toFixed(1)} | ${(fullMs / projectionMs).toFixed(1)}× | ${fromGMs.toFixed(0)} | ` +
        `${permutedMs === undefined ? "—" : permutedMs.toFixed(1)} | ${bytes(4 * m * n)} | ${probes.width} σ = ${bytes(8 * probes.width)} | ` +
        `${bytes(workingSet(probes, false))} |`,
    );
    console.error(rows[rows.length - 1]);
  }
}

console.log(`## \`npx tsx bench/sigma/projection.ts\` (${started} UTC, load average ${loadBefore} → ${loadavg()[0]!.toFixed(1)})`);
console.log("");
console.log(
  `${tokens} tokens in micro-batches of ${microBatch}, smallest ${smallest}, K contiguous blocks, identity transform; ` +
    `best of ${repeats} whole passes after a warm-up; 1 OpenBLAS thread (${blas.config}, ${blas.core} kernels). ${detached}.`,
);
console.log("");
console.log("| W (m×n) | K | full G ms | projection ms | full / projection | then σ-gradients from G ms (1 call) | projection, permuted rows ms | G keeps (m·n float32) | projection keeps (float64) | probes + scratch |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
