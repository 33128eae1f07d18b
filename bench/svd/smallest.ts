// The score's SVDs on 1B-model shapes: full LAPACK dgesdd vs SmallestSvd (Gram + dsyevr + Rayleigh–Ritz) side by side, one OpenBLAS thread.
// Run: npx tsx bench/svd/smallest.ts [--repeats 1] [--smallest 20] [--shapes 2048x2048,256x2048,…]
// Each shape is timed whole (K = 1) and as its first row half (K = 2: both halves have that shape). CPU seconds
// (user + system) of this process, best of --repeats, the two methods alternating; σ: the smallest 20 of both;
// residual: max over the returned pairs and both sides of ‖A·v − σu‖, ‖Aᵀu − σv‖ over ‖A‖_F; σ-gradient: uᵢᵀGvᵢ for
// one random G (N(0, 1)), the largest difference from dgesdd's pairs over the part's largest |uᵢᵀGvᵢ|.
import { loadOpenBlas } from "../../agent/compute/blas/library.ts";
import { blockRanges } from "../../agent/linalg/blocks.ts";
import { frobeniusNorm, type Matrix, rowSlice } from "../../agent/linalg/matrix.ts";
import { loadLapackSvd } from "../../agent/linalg/svd/lapack.ts";
import { loadSmallestSvd } from "../../agent/linalg/svd/smallest.ts";
import type { SvdResult } from "../../agent/linalg/svd/types.ts";
import { flag } from "../flags.ts";
import { detachLikeProduction, gaussian } from "./matrices.ts";

// Read by OpenBLAS when the library loads; loading also pins it to COMPUTE_THREADS (1), as in every agent.
process.env.OPENBLAS_NUM_THREADS = "1";
const repeats = Number(flag("repeats", "1"));
const smallest = Number(flag("smallest", "20"));
const shapes = flag("shapes", "2048x2048,256x2048,5632x2048,2048x5632,8192x2048,2048x8192")
  .split(",")
  .map((s) => s.split("x").map(Number) as [number, number]);

const blas = loadOpenBlas();
const full = loadLapackSvd();
const trailing = loadSmallestSvd({ smallest });
console.log(detachLikeProduction());
console.log(`${blas.config} (${blas.core} kernels), ${blas.getThreads()} thread; LAPACK ${full.library}; smallest ${smallest}; CPU seconds, best of ${repeats}`);

function cpu(run: () => SvdResult): { seconds: number; res: SvdResult } {
  const c0 = process.cpuUsage();
  const res = run();
  const c = process.cpuUsage(c0);
  return { seconds: (c.user + c.system) / 1e6, res };
}

interface Row {
  shape: string;
  dgesdd: number;
  smallest: number;
  method: string;
  relErr: number;
  epsMax: number;
  residual: number;
  gradient: number;
}

/** max over the trailing σ of |σ̂ − σ| / σ, and the same error in units of ε·σ_max (dgesdd's own accuracy). */
function compare(res: SvdResult, ref: SvdResult): { relErr: number; epsMax: number } {
  const q = ref.s.length;
  const k = res.s.length;
  let relErr = 0;
  let epsMax = 0;
  for (let c = 0; c < k; c++) {
    const d = Math.abs(res.s[c]! - ref.s[q - k + c]!);
    relErr = Math.max(relErr, d / ref.s[q - k + c]!);
    epsMax = Math.max(epsMax, d / (2 ** -52 * ref.s[0]!));
  }
  return { relErr, epsMax };
}

/** The pairs' residuals (both sides) over ‖A‖_F, and uᵢᵀGvᵢ against dgesdd's trailing pairs (sign-invariant). */
function pairs(a: Matrix, res: SvdResult, ref: SvdResult, g: Matrix): { residual: number; gradient: number } {
  const { rows: p, cols: n } = a;
  const k = res.s.length;
  const q = ref.s.length;
  const norm = frobeniusNorm(a);
  let residual = 0;
  const got = new Float64Array(k);
  const want = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const atu = new Float64Array(n);
    const gtu = new Float64Array(n);
    const gtuRef = new Float64Array(n);
    let r1 = 0;
    for (let i = 0; i < p; i++) {
      const ui = res.u.data[i * k + c]!;
      const uRef = ref.u.data[i * q + q - k + c]!;
      let av = 0;
      for (let j = 0; j < n; j++) {
        const x = a.data[i * n + j]!;
        av += x * res.vt.data[c * n + j]!;
        atu[j]! += x * ui;
        gtu[j]! += g.data[i * n + j]! * ui;
        gtuRef[j]! += g.data[i * n + j]! * uRef;
      }
      r1 += (av - res.s[c]! * ui) ** 2;
    }
    let r2 = 0;
    for (let j = 0; j < n; j++) {
      r2 += (atu[j]! - res.s[c]! * res.vt.data[c * n + j]!) ** 2;
      got[c]! += gtu[j]! * res.vt.data[c * n + j]!;
      want[c]! += gtuRef[j]! * ref.vt.data[(q - k + c) * n + j]!;
    }
    residual = Math.max(residual, Math.sqrt(r1) / norm, Math.sqrt(r2) / norm);
  }
  const scale = Math.max(...want.map(Math.abs));
  return { residual, gradient: Math.max(...got.map((x, c) => Math.abs(x - want[c]!) / scale)) };
}

function measure(a: Matrix, label: string): Row {
  let [tFull, tSmall] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  let ref: SvdResult | undefined;
  let res: SvdResult | undefined;
  for (let r = 0; r < repeats; r++) {
    // Alternate which goes first, so that neither always runs on a warmer cache or a quieter moment.
    const order = r % 2 === 0 ? ["smallest", "full"] : ["full", "smallest"];
    for (const which of order) {
      if (which === "full") {
        const m = cpu(() => full.decompose(a));
        tFull = Math.min(tFull, m.seconds);
        ref = m.res;
      } else {
        const m = cpu(() => trailing.decompose(a));
        tSmall = Math.min(tSmall, m.seconds);
        res = m.res;
      }
    }
  }
  const g = gaussian(a.rows, a.cols, 99, 1);
  return { shape: label, dgesdd: tFull, smallest: tSmall, method: res!.partial!.method, ...compare(res!, ref!), ...pairs(a, res!, ref!, g) };
}

// Warm-up: koffi's first calls and OpenBLAS's buffers, outside the timings.
trailing.decompose(gaussian(64, 96, 1));
full.decompose(gaussian(64, 96, 1));

console.log("part (K)           | dgesdd s | smallest s | dgesdd / smallest | path | max rel. σ diff | max |Δσ| / (ε·σ_max) | residual / ‖A‖_F | σ-gradient diff");
const rows: Row[] = [];
for (const [i, [m, n]] of shapes.entries()) {
  const w = gaussian(m, n, 4242 + i);
  const half = blockRanges(m, 2)[0]!;
  for (const [label, a] of [
    [`${m}×${n} (K=1)`, w],
    [`${half.end}×${n} (K=2)`, rowSlice(w, half.start, half.end)],
  ] as const) {
    const row = measure(a, label);
    rows.push(row);
    console.log(
      [
        row.shape.padEnd(18),
        row.dgesdd.toFixed(2).padStart(8),
        row.smallest.toFixed(2).padStart(10),
        `${(row.dgesdd / row.smallest).toFixed(1)}×`.padStart(17),
        row.method.padStart(4),
        row.relErr.toExponential(1).padStart(15),
        row.epsMax.toFixed(1).padStart(20),
        row.residual.toExponential(1).padStart(16),
        row.gradient.toExponential(1).padStart(15),
      ].join(" | "),
    );
  }
}

// TinyLlama-1.1B's 154 scored matrices (22 layers of q, k, v, o, gate, up, down) at K = 1 and K = 2, from the rows above.
const of = (shape: string, k: 1 | 2): Row | undefined => rows.find((r) => r.shape === `${shape} (K=${k})`);
const layer: [string, number][] = [["2048×2048", 2], ["256×2048", 2], ["5632×2048", 2], ["2048×5632", 1]];
const halves: Record<string, string> = { "2048×2048": "1024×2048", "256×2048": "128×2048", "5632×2048": "2816×2048", "2048×5632": "1024×5632" };
if (layer.every(([s]) => of(s, 1) && of(halves[s]!, 2))) {
  const total = (key: "dgesdd" | "smallest"): number =>
    22 * layer.reduce((sum, [s, count]) => sum + count * (of(s, 1)![key] + 2 * of(halves[s]!, 2)![key]), 0);
  const [f, t] = [total("dgesdd"), total("smallest")];
  console.log(`TinyLlama-1.1B, 154 matrices at K = 1 and 2 on one core: dgesdd ${(f / 60).toFixed(1)} min, smallest ${(t / 60).toFixed(1)} min (${(f / t).toFixed(1)}×)`);
}
