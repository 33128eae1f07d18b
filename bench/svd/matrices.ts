// Inputs and checks shared by the SVD benchmarks: the same seeded matrices and the same σ error in every script.
import { mulberry32 } from "../../common/random.ts";
import type { Matrix } from "../../agent/linalg/matrix.ts";

/** rows×cols, uniform(−0.02, 0.02) from mulberry32(seed): about the scale of trained GPT-2 weights. */
export function seeded(rows: number, cols: number, seed: number): Matrix {
  const random = mulberry32(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => (random() - 0.5) * 0.04) };
}

/** max over the 20 smallest σ of |a − b| / b */
export function smallestRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  for (let i = Math.max(0, b.length - 20); i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]) / b[i]);
  return err;
}

/**
 * Detaches one 8-byte ArrayBuffer, which invalidates V8's isolate-wide ArrayBufferDetaching
 * protector: from then on every optimised typed-array access also checks its buffer, and
 * JavaScript loops over Float64Arrays run ~15–25 % slower (bench/svd/detach.ts measures it).
 * Every c2i process is already in that state — loading pino through tsx (common/log.ts) detaches a
 * buffer, and SVD workers detach theirs when they transfer results — so the SVD benchmarks measure
 * in it on purpose; before, run.ts (which imports the logger) and ratio.ts (which did not) disagreed.
 * Returns the line the scripts print.
 */
export function detachLikeProduction(): string {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] });
  return "V8 ArrayBufferDetaching protector: invalidated on purpose, as in every c2i process (tsx loading pino, worker transfers); see bench/svd/latest.md";
}

/** rows×cols, Gaussian N(0, scale²) from mulberry32(seed) by Box–Muller: the usual initialisation of LLM weights. */
export function gaussian(rows: number, cols: number, seed: number, scale = 0.02): Matrix {
  const random = mulberry32(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i += 2) {
    const r = scale * Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    data[i] = r * Math.cos(t);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(t);
  }
  return { rows, cols, data };
}
