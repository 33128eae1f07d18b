// Evidence for the run.ts/ratio.ts gap: the TypeScript SVD timed in fresh processes with V8's detach protector intact or not.
// Run: npx tsx bench/svd/detach.ts [--shape 3072x768] [--repeats 3]
// Each state runs in its own child process (the protector cannot be restored once invalidated),
// alternating, with the SIMD kernels and with JavaScript loops only; CPU seconds, best of N.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Matrix } from "../../agent/linalg/matrix.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { detachLikeProduction, seeded } from "./matrices.ts";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [m, n] = (opt("--shape") ?? "3072x768").split("x").map(Number);
const repeats = Number(opt("--repeats") ?? 3);

function bestCpu(svd: TypeScriptSvd, a: Matrix): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    svd.decompose(a);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  return best;
}

const child = opt("--child");
if (child) {
  if (child === "detached") detachLikeProduction();
  const a = seeded(m, n, 7);
  const out = { simd: bestCpu(new TypeScriptSvd(), a), js: bestCpu(new TypeScriptSvd({ kernels: "javascript" }), a) };
  process.stdout.write(JSON.stringify(out));
} else {
  const script = fileURLToPath(import.meta.url);
  const run = (state: string): { simd: number; js: number } =>
    JSON.parse(execFileSync(process.execPath, [...process.execArgv, script, "--child", state, "--shape", `${m}x${n}`, "--repeats", String(repeats)], { encoding: "utf8" }));
  const rows: [string, { simd: number; js: number }][] = [];
  for (const state of ["intact", "detached", "intact", "detached"]) rows.push([state, run(state)]);
  const best = (state: string, k: "simd" | "js"): number => Math.min(...rows.filter(([s]) => s === state).map(([, r]) => r[k]));
  console.log(`TypeScript SVD of ${m}×${n}, CPU s (best of ${repeats} per process, 2 processes per state):`);
  console.log("kernels            | protector intact | invalidated | invalidated / intact");
  for (const k of ["simd", "js"] as const) {
    const [i, d] = [best("intact", k), best("detached", k)];
    console.log(`${(k === "simd" ? "SIMD (default)" : "JavaScript loops").padEnd(18)} | ${i.toFixed(3).padStart(16)} | ${d.toFixed(3).padStart(11)} | ${(d / i).toFixed(2).padStart(20)}`);
  }
}
