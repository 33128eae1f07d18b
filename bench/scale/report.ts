// bench/scale/latest.md from the accumulated runs: per shape and command, the outcome, phases, peak RSS and sgemm shares.
import type { PassFlops } from "../engine/flops.ts";
import { fmt, palette, scale, svg, text, ticks } from "../../coordinator/report/svg.ts";
import { ALL_SHAPES } from "./shapes.ts";

export interface ScaleRun {
  shape: string;
  label: string;
  command: string;
  args: string;
  dtype: string;
  parameters: number;
  storedBytes: number;
  /** The last commit that changed product code (agent, coordinator, cli, common, proto, bin). */
  engine: string;
  /** completed (exit 0), refused (non-zero exit: `message` says why), crashed (the wasm heap aborted the process) or stopped (past the time limit). */
  status: "completed" | "refused" | "crashed" | "stopped";
  exitCode: number | null;
  message?: string;
  stoppedAfterMin?: number;
  wallS: number;
  phases?: { name: string; ms: number; shards?: number }[];
  peaks: { role: string; peakMiB: number }[];
  /** One-thread sgemm GFLOP/s just before and just after the run. */
  sgemm: [number, number];
  loadAtStart: number;
  date: string;
  samples: number;
  meanTokens: number;
  /** Over the 100 adaptation samples. */
  flops: PassFlops;
  /** Forward FLOPs over every row (adapt's baseline evaluates the adaptation and the test set). */
  forwardAllRows: number;
  testSamples?: number;
}

const s1 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const mib = (x: number) => (x >= 1024 ? `${(x / 1024).toFixed(2)} GiB` : `${x.toFixed(0)} MiB`);

/** "agent 3.83 GiB; agent 2.52 GiB; c2i adapt 198 MiB": each process's peak, processes under 64 MiB omitted. */
export function peaksText(peaks: readonly { role: string; peakMiB: number }[]): string {
  return peaks.filter((p) => p.peakMiB > 64).map((p) => `${p.role} ${mib(p.peakMiB)}`).join("; ");
}

/** Share of the run's sgemm rate (mean of before and after) that `flops` in `ms` reach. */
function share(r: ScaleRun, flops: number, ms: number): number {
  return flops / (ms / 1000) / 1e9 / ((r.sgemm[0] + r.sgemm[1]) / 2);
}

function shares(r: ScaleRun): string {
  if (r.status !== "completed" || !r.phases) return "—";
  if (r.command === "score") {
    const pass = r.phases.find((p) => p.name === "gradient pass");
    if (!pass) return `gradient work / whole command: ≥ ${pct(share(r, r.flops.gradient, r.wallS * 1000))} (wall includes start, load and SVDs)`;
    // A projected pass computes no dW: its work is the forward and the backward's dX.
    return `gradient pass (${r.flops.projected !== undefined ? "projected σ-gradients, no dW" : "∂L/∂W"}): ${pct(share(r, r.flops.projected ?? r.flops.gradient, pass.ms))}`;
  }
  const base = r.phases.find((p) => p.name === "baseline");
  if (!base) return "—";
  // With two or more agents the baseline's two shards (the 100 adaptation samples, the test samples) run side by side:
  // the phase lasts one 100-sample evaluation on one agent (one thread).
  const agents = Number(/--agents (\d+)/.exec(r.args)?.[1] ?? "1");
  if (agents >= 2) return `one 100-sample evaluation (the baseline phase, test set beside it on the other agent): ≥ ${pct(share(r, r.flops.forward, base.ms))}`;
  return `baseline evaluation (${100 + (r.testSamples ?? 0)} samples): ${pct(share(r, r.forwardAllRows, base.ms))}`;
}

function result(r: ScaleRun): string {
  if (r.status === "completed") return `completed in ${s1(r.wallS * 1000)}`;
  if (r.status === "stopped") return `**stopped after ${r.stoppedAfterMin!.toFixed(0)} min**`;
  if (r.status === "crashed") return `**crashed** after ${s1(r.wallS * 1000)} (exit ${r.exitCode}): ${r.message ?? ""}`;
  return `**refused** after ${s1(r.wallS * 1000)} (exit ${r.exitCode}): ${r.message ?? ""}`;
}

/** The whole report; `notes` (hand-written reading of the runs, bench/scale/notes.md) goes after the table. */
export function renderReport(runs: readonly ScaleRun[], notes = ""): string {
  const order = (r: ScaleRun) => [ALL_SHAPES.findIndex((s) => s.id === r.shape), r.command === "score" ? 0 : 1, r.date] as const;
  const sorted = [...runs].sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : 1);
  });
  const rows = sorted.map((r) => {
    const phases = r.phases?.map((p) => `${p.name} ${s1(p.ms)}${p.shards !== undefined ? ` (${p.shards} shard${p.shards === 1 ? "" : "s"})` : ""}`).join("; ") ?? "—";
    const peaks = peaksText(r.peaks);
    return `| ${r.label} | ${(r.parameters / 1e6).toFixed(0)} M | ${r.dtype} (${(r.storedBytes / 2 ** 30).toFixed(2)} GiB) | ${r.command} | ${r.engine} | ${result(r)} | ${phases} | ${peaks} | ${r.sgemm.map((g) => g.toFixed(0)).join(" / ")} | ${shares(r)} | ${r.loadAtStart.toFixed(1)} |`;
  });
  const dates = runs.map((r) => r.date).sort();
  return [
    "# Scale benchmark (issue 16)",
    "",
    "`c2i score` and `c2i adapt` (the real CLI, `node bin/c2i.mjs`) on random-weight checkpoints in the exact",
    "shapes of the real models' config.json (`bench/scale/shapes.ts`; weights uniform with std 0.02, norms 1, seed 1; sharded",
    "one layer per file), with a word-level tokenizer of exactly the config's vocabulary and a generated task of 150 rows of",
    `~48 tokens (3-token answers): the seeded 100 are the adaptation set, the other 50 adapt's test set.`,
    "",
    "Run: `nice -n 10 npx tsx bench/scale/run.ts --shapes <ids> --commands score,adapt` (2-core, 24 GiB machine shared with",
    "other runs; load average at each start in the last column). Both commands use `--blocks 1,2` (not METHOD.md's 1,2,4,8);",
    "adapt's search is small but real: `--top-m 2 --blocks 1,2 --rates 0.5,0.9` (at most 8 candidates), `--no-checkpoint`; the",
    "baseline engines (42ac1c7, fc81f5e) ran adapt with one local agent and 8 matrices per score shard, later engines with two",
    "agents (one per core, `c2i adapt`'s default) and one score shard per agent (`--score-shard-size` = candidates ÷ 2).",
    "Peak RSS is each process's VmHWM, polled every 250 ms over the process tree (processes under 64 MiB omitted).",
    "sgemm: one-thread OpenBLAS 768×768·768×3072 GFLOP/s just before / after the run (agents compute with one thread).",
    "Shares use bench/engine's matmul FLOP model (`bench/scale/work.ts`).",
    "",
    `Runs between ${dates[0] ?? "—"} and ${dates.at(-1) ?? "—"}. "engine" is the last commit that changed product code when the run started.`,
    "",
    "| shape | parameters | dtype (stored) | command | engine | result | time per phase | peak RSS per process | sgemm GFLOP/s | share of sgemm | load |",
    "| --- | ---: | --- | --- | --- | --- | --- | --- | ---: | --- | ---: |",
    ...rows,
    "",
    ...(notes ? [notes.trimEnd(), ""] : []),
  ].join("\n");
}

/** Time and peak RSS per agent against parameter count, newest completed run per (shape, command): bench/scale/scale.svg. */
export function renderPlot(runs: readonly ScaleRun[]): string {
  const newest = new Map<string, ScaleRun>();
  for (const r of runs) {
    if (r.status !== "completed") continue;
    const key = `${r.shape}|${r.command}`;
    const seen = newest.get(key);
    if (!seen || seen.date < r.date) newest.set(key, r);
  }
  const points = [...newest.values()].filter((r) => ALL_SHAPES.some((s) => s.id === r.shape));
  const agentPeak = (r: ScaleRun) => Math.max(...r.peaks.filter((p) => p.role !== "c2i adapt").map((p) => p.peakMiB)) / 1024;
  const W = 720;
  const H = 300;
  const panel = (x0: number, title: string, value: (r: ScaleRun) => number, unit: string, limit?: number) => {
    const [left, top, w, h] = [x0 + 56, 34, 270, 210];
    const xs = points.map((r) => r.parameters / 1e9);
    const ys = points.map(value);
    const xMax = Math.max(1.3, ...xs);
    const yMax = Math.max(limit ?? 0, ...ys) * 1.1 || 1;
    const sx = scale(0, xMax, left, left + w);
    const sy = scale(0, yMax, top + h, top);
    const axes = [
      `<line x1="${left}" y1="${top + h}" x2="${left + w}" y2="${top + h}" stroke="#444"/>`,
      `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + h}" stroke="#444"/>`,
      ...ticks(0, xMax, 5).map((t) => text(sx(t), top + h + 16, fmt(t, 2), `text-anchor="middle" font-size="11"`)),
      ...ticks(0, yMax, 5).map((t) => text(left - 6, sy(t) + 4, fmt(t, 3), `text-anchor="end" font-size="11"`)),
      text(left + w / 2, top + h + 34, "parameters (billions)", `text-anchor="middle" font-size="12"`),
      text(x0 + 12, top + h / 2, unit, `text-anchor="middle" font-size="12" transform="rotate(-90 ${x0 + 12} ${top + h / 2})"`),
      text(left + w / 2, 18, title, `text-anchor="middle" font-size="13" font-weight="bold"`),
    ];
    if (limit !== undefined) axes.push(`<line x1="${left}" y1="${sy(limit)}" x2="${left + w}" y2="${sy(limit)}" stroke="#D55E00" stroke-dasharray="4 3"/>`, text(left + w - 4, sy(limit) - 4, `${limit} GiB`, `text-anchor="end" font-size="11" fill="#D55E00"`));
    const series = ["score", "adapt"].map((command, i) => {
      const pts = points.filter((r) => r.command === command).sort((a, b) => a.parameters - b.parameters);
      const path = pts.map((r, j) => `${j === 0 ? "M" : "L"}${sx(r.parameters / 1e9).toFixed(1)},${sy(value(r)).toFixed(1)}`).join(" ");
      const dots = pts.map((r) => `<circle cx="${sx(r.parameters / 1e9).toFixed(1)}" cy="${sy(value(r)).toFixed(1)}" r="3.5" fill="${palette[i]}"><title>${r.label} ${command}: ${fmt(value(r), 3)} ${unit}</title></circle>`).join("");
      return `<path d="${path}" fill="none" stroke="${palette[i]}" stroke-width="1.5"/>${dots}` + text(left + 10, top + 14 + 14 * i, `● c2i ${command}`, `font-size="11" fill="${palette[i]}"`);
    });
    return [...axes, ...series].join("");
  };
  const body = panel(0, "wall time", (r) => r.wallS / 60, "minutes") + panel(W / 2, "peak RSS per agent process", agentPeak, "GiB", 8);
  return svg(W, H, `<rect width="${W}" height="${H}" fill="#fff"/>${body}`, "c2i score and adapt: wall time and peak memory against parameter count") + "\n";
}
