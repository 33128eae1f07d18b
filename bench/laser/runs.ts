// The bench's two real-CLI runs on one shape, `c2i adapt` with two local agents: c2i end to end, and LASER restricted to a
// few candidates (one per evaluate shard) on its whole validation split; each watched for peak RSS, timed per phase.
import { readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import { defaultSettings } from "../../coordinator/plan/settings.ts";
import { sgemmGflops } from "../blas/sgemm.ts";
import { cliStatus, lastWords, runCli, type CliStatus } from "../scale/cli.ts";

export const RunRole = { c2i: "c2i", laserSample: "laser-sample" } as const;
export type RunRole = (typeof RunRole)[keyof typeof RunRole];

export interface AdaptRun {
  role: RunRole;
  /** `c2i` arguments as run. */
  args: string[];
  status: CliStatus;
  exitCode: number | null;
  message?: string;
  stoppedAfterMin?: number;
  /** The CLI from start to exit: agent start-up, the job, writing result.json. */
  wallS: number;
  peaks: { role: string; peakMiB: number }[];
  /** One-thread sgemm GFLOP/s just before and just after the run. */
  sgemm: [number, number];
  /** One-minute load average at the start and at the end. */
  load: [number, number];
  date: string;
  /** From result.json, when the run completed. */
  phases?: { name: string; ms: number; shards: number }[];
  rows?: number;
  sets?: ResultDocument["sets"];
  candidates?: number;
  /** Batches run from a cached layer / by the full forward, summed over the agents (`--json`'s layerCache). */
  layerCache?: { partial: number; full: number };
}

export interface RunContext {
  root: string;
  work: string;
  agents: number;
  timeoutMin: number;
  log: (line: string) => void;
}

/** c2i with METHOD.md's defaults (top-m, K grid, rate grid), one score shard (one gradient pass) per agent. */
export function c2iFlags(candidateMatrices: number, agents: number, testSize: number): string[] {
  const s = defaultSettings;
  return [
    "--strategy", "c2i", "--top-m", String(s.topM), "--blocks", s.blockCounts.join(","), "--rates", s.rates.join(","),
    "--score-shard-size", String(Math.ceil(candidateMatrices / agents)), "--test-size", String(testSize),
  ];
}

/** LASER on `layers` × one kind × one rate: one candidate per evaluate shard, each a full forward over the validation split. */
export function laserSampleFlags(layers: readonly number[], kind: string, rate: number, testSize: number): string[] {
  return ["--strategy", "laser", "--layers", layers.join(","), "--kinds", kind, "--rates", String(rate), "--test-size", String(testSize)];
}

function readOutcome(run: AdaptRun, out: string, stdout: string): void {
  const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as ResultDocument;
  run.phases = result.phases.map((p) => ({ name: p.name, ms: p.ms, shards: p.shards }));
  run.rows = result.dataset.rows;
  run.sets = result.sets;
  run.candidates = result.candidates.length;
  const summary = JSON.parse(stdout) as { layerCache?: { partial: number; full: number } };
  if (summary.layerCache) run.layerCache = { partial: summary.layerCache.partial, full: summary.layerCache.full };
}

/** `c2i adapt --model M --dataset D --agents N --out … --no-checkpoint --json` plus `flags`, measured. */
export async function runAdapt(role: RunRole, model: string, dataset: string, flags: string[], ctx: RunContext): Promise<AdaptRun> {
  const out = join(ctx.work, `out-${role}`);
  rmSync(out, { recursive: true, force: true });
  const args = ["adapt", "--model", model, "--dataset", dataset, "--agents", String(ctx.agents), "--out", out, "--no-checkpoint", "--json", ...flags];
  const sgemmBefore = sgemmGflops(1);
  const loadBefore = loadavg()[0]!;
  const date = new Date().toISOString();
  ctx.log(`${role}: c2i ${args.join(" ")} (sgemm ${sgemmBefore.toFixed(1)} GFLOP/s, load ${loadBefore.toFixed(1)})`);
  const r = await runCli(args, { root: ctx.root, timeoutMin: ctx.timeoutMin, log: ctx.log });
  const sgemmAfter = sgemmGflops(1);
  const loadAfter = loadavg()[0]!;
  const run: AdaptRun = {
    role, args, status: cliStatus(r), exitCode: r.code, wallS: r.wallS, peaks: r.peaks.map(({ role: p, peakMiB }) => ({ role: p, peakMiB })),
    sgemm: [sgemmBefore, sgemmAfter], load: [loadBefore, loadAfter], date,
  };
  if (r.stoppedAfterMin !== undefined) run.stoppedAfterMin = r.stoppedAfterMin;
  if (r.code !== 0) run.message = lastWords(r.stderr);
  else readOutcome(run, out, r.stdout);
  ctx.log(`${role}: ${run.status} in ${r.wallS.toFixed(1)} s (sgemm after ${sgemmAfter.toFixed(1)} GFLOP/s, load ${loadAfter.toFixed(1)})${run.message ? `: ${run.message}` : ""}`);
  return run;
}

/** Wall seconds of the named phases of a completed run. */
export function phaseSeconds(run: AdaptRun, names: readonly string[]): number {
  return (run.phases ?? []).filter((p) => names.includes(p.name)).reduce((a, p) => a + p.ms, 0) / 1000;
}
