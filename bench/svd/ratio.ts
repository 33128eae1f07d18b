// Narrow timing: CPU seconds of the TypeScript SVD vs LAPACK dgesdd (one OpenBLAS thread), interleaved in one run.
// Run: npx tsx bench/svd/ratio.ts [--repeats N] [--shapes 3072x768,768x3072,192x768]
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { loadLapackSvd } from "../../agent/linalg/svd/lapack.ts";
import type { Svd } from "../../agent/linalg/svd/types.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { seeded, smallestRelErr } from "./matrices.ts";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const repeats = Number(opt("--repeats") ?? 3);
// Read by OpenBLAS when the library loads; this script is an edge.
process.env.OPENBLAS_NUM_THREADS = "1";
const shapes = (opt("--shapes") ?? "768x3072,3072x768,192x768").split(",").map((s) => s.split("x").map(Number) as [number, number]);

function cpu(svd: Svd, a: Matrix): { cpu: number; s: Float64Array } {
  const c0 = process.cpuUsage();
  const s = svd.decompose(a).s;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, s };
}

const lapack = loadLapackSvd();
const ts = new TypeScriptSvd();
console.log("shape       | LAPACK CPU s (min) | TS CPU s (min) | TS/LAPACK | max rel. err, 20 smallest σ");
for (const [i, [m, n]] of shapes.entries()) {
  const a = seeded(m, n, 1234 + i);
  let lp = Infinity;
  let tt = Infinity;
  let err = 0;
  for (let r = 0; r < repeats; r++) {
    const l = cpu(lapack, a);
    const t = cpu(ts, a);
    lp = Math.min(lp, l.cpu);
    tt = Math.min(tt, t.cpu);
    err = Math.max(err, smallestRelErr(t.s, l.s));
  }
  console.log(`${`${m}×${n}`.padEnd(11)} | ${lp.toFixed(3).padStart(18)} | ${tt.toFixed(3).padStart(14)} | ${(tt / lp).toFixed(2).padStart(9)} | ${err.toExponential(1)}`);
}
