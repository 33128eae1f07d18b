// The TypeScript SVD where production runs it: in-process vs on an SvdWorkers thread (parallel.ts), same matrices, one run.
// Run: npx tsx bench/svd/worker.ts [--repeats N] [--shapes 3072x768,768x3072,192x768]
// Worker times are wall seconds per task with the main thread idle (so close to the worker's CPU time),
// including the shared-memory hand-over and the transfer of the factors back.
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { SvdWorkers } from "../../agent/linalg/parallel.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { seeded } from "./matrices.ts";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const repeats = Number(opt("--repeats") ?? 3);
const shapes = (opt("--shapes") ?? "3072x768,768x3072,192x768").split(",").map((s) => s.split("x").map(Number) as [number, number]);

const ts = new TypeScriptSvd();
const pool = new SvdWorkers({ threads: 1, prefer: "typescript" });
try {
  console.log(`in-process kernels: ${ts.simd ? "WebAssembly SIMD" : "JavaScript loops"}; worker: ${await pool.implementation()}; best of ${repeats}`);
  console.log("shape       | in-process CPU s | worker wall s | worker / in-process");
  for (const [i, [m, n]] of shapes.entries()) {
    const a: Matrix = seeded(m, n, 77 + i);
    let [inProc, inWorker] = [Infinity, Infinity];
    for (let r = 0; r < repeats; r++) {
      const c0 = process.cpuUsage();
      ts.decompose(a);
      const c = process.cpuUsage(c0);
      inProc = Math.min(inProc, (c.user + c.system) / 1e6);
      const t0 = performance.now();
      await pool.decomposeMany([a]);
      inWorker = Math.min(inWorker, (performance.now() - t0) / 1000);
    }
    console.log(`${`${m}×${n}`.padEnd(11)} | ${inProc.toFixed(3).padStart(16)} | ${inWorker.toFixed(3).padStart(13)} | ${(inWorker / inProc).toFixed(2).padStart(19)}`);
  }
} finally {
  await pool.close();
}
