// Narrow timing: CPU seconds of the TypeScript SVD (SIMD kernels, and JavaScript loops only) vs LAPACK dgesdd, interleaved in one run.
// Run: npx tsx bench/svd/ratio.ts [--repeats N] [--shapes 3072x768,768x3072,192x768]
// The JavaScript-loops path does the arithmetic of the SVD before the SIMD kernels, bit for bit, so its
// column is the "before" measured side by side with the "after".
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { loadLapackSvd } from "../../agent/linalg/svd/lapack.ts";
import type { Svd } from "../../agent/linalg/svd/types.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { detachLikeProduction, seeded, smallestRelErr } from "./matrices.ts";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const repeats = Number(opt("--repeats") ?? 3);
// Read by OpenBLAS when the library loads; this script is an edge.
process.env.OPENBLAS_NUM_THREADS = "1";
const shapes = (opt("--shapes") ?? "768x3072,3072x768,192x768").split(",").map((s) => s.split("x").map(Number) as [number, number]);
console.log(detachLikeProduction());

function cpu(svd: Svd, a: Matrix): { cpu: number; s: Float64Array } {
  const c0 = process.cpuUsage();
  const s = svd.decompose(a).s;
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1e6, s };
}

const lapack = loadLapackSvd();
const ts = new TypeScriptSvd();
const js = new TypeScriptSvd({ kernels: "javascript" });
console.log(`TypeScript kernels: ${ts.simd ? "WebAssembly SIMD" : "JavaScript (no WebAssembly SIMD here)"}; CPU seconds, best of ${repeats}, one OpenBLAS thread`);
console.log("shape       | LAPACK | TS     | TS JS-loops | TS/LAPACK | JS-loops/LAPACK | σ20 rel. err TS vs LAPACK | JS-loops vs LAPACK");
for (const [i, [m, n]] of shapes.entries()) {
  const a = seeded(m, n, 1234 + i);
  let [lp, tt, jj, err, errJs] = [Infinity, Infinity, Infinity, 0, 0];
  for (let r = 0; r < repeats; r++) {
    const l = cpu(lapack, a);
    const t = cpu(ts, a);
    const j = cpu(js, a);
    lp = Math.min(lp, l.cpu);
    tt = Math.min(tt, t.cpu);
    jj = Math.min(jj, j.cpu);
    err = Math.max(err, smallestRelErr(t.s, l.s));
    errJs = Math.max(errJs, smallestRelErr(j.s, l.s));
  }
  const cells = [
    `${m}×${n}`.padEnd(11),
    lp.toFixed(3).padStart(6),
    tt.toFixed(3).padStart(6),
    jj.toFixed(3).padStart(11),
    (tt / lp).toFixed(2).padStart(9),
    (jj / lp).toFixed(2).padStart(15),
    err.toExponential(1).padStart(25),
    errJs.toExponential(1).padStart(18),
  ];
  console.log(cells.join(" | "));
}
