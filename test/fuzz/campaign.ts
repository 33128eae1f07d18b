// Runs a seeded fuzz campaign over one surface in this process: every input classified as accepted, rejected by code, or a bug.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { C2iError, describeError } from "../../common/errors.ts";
import { Rng } from "./rng.ts";
import { NoAnswerError, TeardownError, type BugKind, type FuzzInput, type Outcome, type Surface } from "./surface.ts";

export interface CampaignOptions {
  seed: number;
  /** Inputs to generate. */
  inputs: number;
  /** First input index (a restarted worker continues after the input that hung). @default 0 */
  start?: number;
  /** Per-input time limit, ms: slower is a hang. @default 10000 */
  timeoutMs?: number;
  /** Called after every input (the bench worker streams these as lines). */
  onInput?: (record: InputRecord) => void;
}

export interface InputRecord {
  surface: string;
  index: number;
  what: string;
  outcome: Outcome;
  ms: number;
}

export interface SurfaceCounts {
  surface: string;
  title: string;
  inputs: number;
  accepted: number;
  rejected: Record<string, number>;
  /** Index -1: found after the inputs (teardown, the worker process). */
  bugs: Bug[];
  /** Slowest input, ms. */
  maxMs: number;
}

export interface Bug {
  index: number;
  what: string;
  bug: BugKind;
  reason: string;
}

export function emptyCounts(surface: Surface<unknown>): SurfaceCounts {
  return { surface: surface.name, title: surface.title, inputs: 0, accepted: 0, rejected: {}, bugs: [], maxMs: 0 };
}

export function addRecord(counts: SurfaceCounts, r: InputRecord): void {
  counts.inputs++;
  counts.maxMs = Math.max(counts.maxMs, r.ms);
  if (r.outcome.kind === "accepted") counts.accepted++;
  else if (r.outcome.kind === "rejected") counts.rejected[r.outcome.code] = (counts.rejected[r.outcome.code] ?? 0) + 1;
  else counts.bugs.push({ index: r.index, what: r.what, bug: r.outcome.bug, reason: r.outcome.reason });
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        out.push(relative(dir, p) + "/");
        walk(p);
      } else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function writeInput(dir: string, input: FuzzInput): string[] {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(input.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  return listFiles(dir);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Feed one input and classify what happened (including files it should not have written). */
export async function runInput<S>(surface: Surface<S>, setup: S, seed: number, index: number, scratch: string, timeoutMs: number): Promise<InputRecord> {
  const rng = Rng.forInput(seed, surface.name, index);
  const input = surface.generate(rng, setup, index);
  const dir = join(scratch, surface.name, String(index));
  const before = writeInput(dir, input);
  const t0 = performance.now();
  let outcome: Outcome;
  let wrote: string[] = [];
  try {
    const r = await withTimeout(surface.feed(input, setup, { dir }), timeoutMs);
    if (r === "timeout") outcome = { kind: "bug", bug: "hang", reason: `no answer within ${timeoutMs} ms` };
    else {
      outcome = { kind: "accepted" };
      wrote = r ?? [];
    }
  } catch (e) {
    if (e instanceof NoAnswerError) {
      outcome = { kind: "bug", bug: "hang", reason: e.message };
    } else if (e instanceof C2iError) {
      outcome = surface.codes.includes(e.code)
        ? { kind: "rejected", code: e.code }
        : { kind: "bug", bug: "wrong-code", reason: `undocumented code for this surface: ${describeError(e)}` };
    } else {
      outcome = { kind: "bug", bug: "crash", reason: `uncaught ${describeError(e)}` };
    }
  }
  const ms = performance.now() - t0;
  if (outcome.kind !== "bug" && ms > timeoutMs) outcome = { kind: "bug", bug: "hang", reason: `took ${Math.round(ms)} ms, over the ${timeoutMs} ms limit` };
  if (outcome.kind !== "bug") {
    const allowed = new Set([...before, ...wrote]);
    const extra = listFiles(dir).filter((f) => !allowed.has(f) && ![...allowed].some((a) => a.endsWith("/") && f.startsWith(a)));
    if (extra.length > 0) {
      outcome = { kind: "bug", bug: "wrote", reason: `${outcome.kind === "rejected" ? `rejected (${outcome.code}) but` : "accepted and"} wrote ${extra.slice(0, 3).join(", ")}` };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return { surface: surface.name, index, what: input.what, outcome, ms };
}

/** A teardown's problem as a bug: its own kind, or a crash (a server that stopped answering). */
export function teardownBug(e: unknown): Bug {
  return { index: -1, what: "teardown", bug: e instanceof TeardownError ? e.bug : "crash", reason: describeError(e) };
}

/** Run `inputs` inputs of `surface` (setup and teardown included) and count the outcomes. */
export async function runCampaign<S>(surface: Surface<S>, scratch: string, options: CampaignOptions): Promise<SurfaceCounts> {
  const counts = emptyCounts(surface as Surface<unknown>);
  const setup = await surface.setup(join(scratch, `${surface.name}-setup`));
  try {
    const start = options.start ?? 0;
    for (let i = start; i < start + options.inputs; i++) {
      const record = await runInput(surface, setup, options.seed, i, scratch, options.timeoutMs ?? 10_000);
      addRecord(counts, record);
      options.onInput?.(record);
    }
  } finally {
    try {
      await surface.teardown?.(setup);
    } catch (e) {
      counts.bugs.push(teardownBug(e));
    }
  }
  return counts;
}
