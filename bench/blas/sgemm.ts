// The machine's reference rate: OpenBLAS sgemm on GPT-2-small's 768×768·768×3072 product, the denominator of every "share of sgemm".
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";

/** GFLOP/s of the fastest of `calls` sgemm calls (after one warm-up) with `threads` OpenBLAS threads; the best, since the machine is shared. */
export function sgemmGflops(threads: number, calls = 10): number {
  const blas = loadOpenBlas();
  const before = blas.getThreads();
  blas.setThreads(threads);
  try {
    const [m, k, n] = [768, 768, 3072];
    const A = new Float32Array(m * k).fill(0.5);
    const B = new Float32Array(k * n).fill(0.5);
    const C = new Float32Array(m * n);
    blas.sgemm(false, false, m, n, k, 1, A, k, B, n, 0, C, n);
    let best = Infinity;
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      blas.sgemm(false, false, m, n, k, 1, A, k, B, n, 0, C, n);
      best = Math.min(best, performance.now() - t);
    }
    return (2 * m * k * n) / (best / 1000) / 1e9;
  } finally {
    blas.setThreads(before);
  }
}
