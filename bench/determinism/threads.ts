// Does OpenBLAS give the same bits for the same product on 1 and 2 threads, and for a row inside a taller product?
// And LAPACK's dgesdd on 1 and 2 threads? Prints, for the kernels this process runs (OPENBLAS_CORETYPE picks them
// on Debian's DYNAMIC_ARCH build; this script never changes it), how many entries differ. These measurements are
// why every c2i process computes with one OpenBLAS thread and why a job's batching travels with its shards.
// Run: npx tsx bench/determinism/threads.ts   (then again under the other OPENBLAS_CORETYPE choice, by hand)
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { loadLapackSvd } from "../../agent/linalg/svd/lapack.ts";

const blas = loadOpenBlas();
const lapack = loadLapackSvd();

function random(n: number, seed: number): Float64Array {
  const a = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

const differing = (x: ArrayLike<number>, y: ArrayLike<number>, n = x.length) => {
  let d = 0;
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) d++;
  return d;
};

/** C = op(A)·op(B) (row-major, m×n, inner k) on `threads` threads. */
function sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, threads: number): Float32Array {
  blas.setThreads(threads);
  const c = new Float32Array(m * n);
  blas.sgemm(transA, transB, m, n, k, 1, a, transA ? m : k, b, transB ? k : n, 0, c, n);
  return c;
}

console.log(`OpenBLAS: ${blas.config} (kernels: ${blas.core}); OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "(unset)"}`);
console.log("\n| product m×n×k (GPT-2-small shapes, 48 tokens × 16 rows = 768) | entries | differ, 1 vs 2 threads (NN, NT, TN) |");
console.log("| --- | --- | --- |");
for (const [m, n, k] of [[768, 768, 768], [768, 3072, 768], [3072, 768, 768], [37, 768, 768], [100, 172, 64]] as const) {
  const a = Float32Array.from(random(m * k, 1));
  const b = Float32Array.from(random(k * n, 2));
  const counts = ([[false, false], [false, true], [true, false]] as const).map(([ta, tb]) => differing(sgemm(ta, tb, m, n, k, a, b, 1), sgemm(ta, tb, m, n, k, a, b, 2)));
  console.log(`| ${m}×${n}×${k} | ${m * n} | ${counts.join(", ")} |`);
}

console.log("\n| rows of a 700-row product recomputed alone (k × n = 768 × 768, 1 thread) | entries | differ |");
console.log("| --- | --- | --- |");
{
  const [k, n, tall] = [768, 768, 700];
  const a = Float32Array.from(random(tall * k, 3));
  const b = Float32Array.from(random(k * n, 4));
  const whole = sgemm(false, false, tall, n, k, a, b, 1);
  for (const m of [1, 5, 13, 16, 32, 48, 333]) {
    console.log(`| first ${m} | ${m * n} | ${differing(sgemm(false, false, m, n, k, a, b, 1), whole, m * n)} |`);
  }
}

console.log("\n| dgesdd (float64 SVD), m×n | entries of U, σ, Vᵀ | differ, 1 vs 2 threads |");
console.log("| --- | --- | --- |");
for (const [m, n] of [[192, 768], [768, 768], [768, 3072], [64, 172]] as const) {
  const data = random(m * n, 5);
  const run = (threads: number) => {
    blas.setThreads(threads);
    return lapack.decompose({ rows: m, cols: n, data: Float64Array.from(data) });
  };
  const [one, two] = [run(1), run(2)];
  const size = one.u.data.length + one.s.length + one.vt.data.length;
  const d = differing(one.u.data, two.u.data) + differing(one.s, two.s) + differing(one.vt.data, two.vt.data);
  console.log(`| ${m}×${n} | ${size} | ${d} |`);
}
