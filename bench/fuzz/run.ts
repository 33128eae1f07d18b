// The fuzz campaign: ≥ 1,000 seeded inputs per surface, each surface in a watched child process, then samples through the
// real CLI and real server processes; writes bench/fuzz/latest.md. `npx tsx bench/fuzz/run.ts [--inputs 1000] [--seed 17]`.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { addRecord, emptyCounts, type Bug, type InputRecord, type SurfaceCounts } from "../../test/fuzz/campaign.ts";
import { coordinatorGrpcSurface } from "../../test/fuzz/surfaces/grpc-coordinator.ts";
import { surfaces } from "../../test/fuzz/surfaces/index.ts";
import type { Surface } from "../../test/fuzz/surface.ts";
import { cliContext, cliSample, type CliSample } from "./cli-sample.ts";
import { serversSample, type ServersSample } from "./servers-sample.ts";
import { report } from "./report.ts";

const { values } = parseArgs({
  options: {
    inputs: { type: "string", default: "1000" },
    seed: { type: "string", default: "17" },
    surfaces: { type: "string" },
    "timeout-ms": { type: "string", default: "15000" },
    "cli-sample": { type: "string", default: "20" },
    "server-sample": { type: "string", default: "50" },
    out: { type: "string", default: join(import.meta.dirname, "latest.md") },
    /** Also write the counts as JSON here (to rebuild or compare reports without rerunning). */
    json: { type: "string" },
  },
});
const inputs = Number(values.inputs);
const seed = Number(values.seed);
const timeoutMs = Number(values["timeout-ms"]);
const chosen = values.surfaces ? surfaces.filter((s) => values.surfaces!.split(",").includes(s.name)) : surfaces;
const WORKER = join(import.meta.dirname, "worker.ts");

interface SurfaceRun {
  counts: SurfaceCounts;
  /** Refused inputs (index, code), for the CLI sample. */
  refused: { index: number; code: string }[];
  seconds: number;
  /** Worker processes started: 1 unless an input hung or crashed one. */
  workers: number;
}

/** Runs inputs [start, end) in one worker; resolves with the index to resume from (end when it finished). */
function segment(surface: Surface<unknown>, start: number, end: number, onRecord: (r: InputRecord) => void, onBug: (bug: Bug) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, "--surface", surface.name, "--seed", String(seed), "--start", String(start), "--end", String(end), "--timeout-ms", String(timeoutMs)], {
      stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, C2I_LOG_LEVEL: "silent" },
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    let current = start;
    let done = false;
    let killed = false;
    let watchdog: NodeJS.Timeout | undefined;
    // Setup may start servers and write the tiny model; inputs get timeoutMs plus slack.
    const arm = (ms: number) => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        // After its last input the worker only has to exit: still running means something it opened was not closed.
        if (done) onBug({ index: -1, what: "worker", bug: "leak", reason: `the worker did not exit within ${ms} ms of its last input (a handle left open); killed` });
        else onBug({ index: current, what: "", bug: "hang", reason: `input ${current}: no answer from the worker within ${ms} ms; worker killed` });
        killed = true;
        child.kill("SIGKILL");
      }, ms);
    };
    arm(120_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const msg = JSON.parse(line) as { starting?: number; done?: boolean; teardown?: Bug | null } & Partial<InputRecord>;
      if (msg.starting !== undefined) {
        current = msg.starting;
        arm(timeoutMs + 10_000);
      } else if (msg.done) {
        done = true;
        if (msg.teardown) onBug(msg.teardown);
        arm(15_000); // the worker must now exit by itself: a handle left open is a leak
      } else if (msg.outcome) {
        onRecord(msg as InputRecord);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(watchdog);
      if (done && !killed && code !== 0) onBug({ index: -1, what: "worker", bug: "leak", reason: `worker exited ${signal ?? code} after its last input (a handle left open?)` });
      if (!done && !killed) onBug({ index: current, what: "", bug: "crash", reason: `input ${current}: the worker process died (${signal ?? code}): ${stderr.slice(-500)}` });
      resolve(done ? end : current + 1);
    });
  });
}

async function runSurface(surface: Surface<unknown>): Promise<SurfaceRun> {
  const counts = emptyCounts(surface);
  const refused: SurfaceRun["refused"] = [];
  const t0 = performance.now();
  let workers = 0;
  for (let next = 0; next < inputs; workers++) {
    next = await segment(
      surface, next, inputs,
      (r) => {
        addRecord(counts, r);
        if (r.outcome.kind === "rejected") refused.push({ index: r.index, code: r.outcome.code });
      },
      (bug) => {
        if (bug.index >= 0) counts.inputs++;
        counts.bugs.push(bug);
      },
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`${surface.name}: ${counts.inputs} inputs, ${counts.accepted} accepted, ${JSON.stringify(counts.rejected)}, ${counts.bugs.length} bugs, ${seconds.toFixed(1)} s\n`);
  return { counts, refused, seconds, workers };
}

/** Every k-th refused input, up to n, so the sample spans the campaign. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

const started = new Date();
const load = loadavg()[0]!;
const runs: SurfaceRun[] = [];
for (const surface of chosen) runs.push(await runSurface(surface));

const scratch = mkdtempSync(join(tmpdir(), "c2i-fuzz-run-"));
const samples: CliSample[] = [];
try {
  const ctx = cliContext(scratch);
  const coordinator = await coordinatorGrpcSurface.setup(join(scratch, "coordinator"));
  ctx.coordinator = { address: coordinator.address, token: coordinator.token };
  try {
    for (const [i, surface] of chosen.entries()) {
      const n = Number(values["cli-sample"]) >> (surface.name.startsWith("dataset-") ? 1 : 0);
      if (n === 0) continue;
      const setup = await surface.setup(join(scratch, `cli-${surface.name}`));
      try {
        const s = await cliSample(surface, setup, seed, spread(runs[i]!.refused, n), ctx);
        if (s) {
          samples.push(s);
          process.stderr.write(`CLI ${s.command}: ${s.oneLine}/${s.runs} exit 2 with one line, ${s.sameCode} same code, ${s.problems.length} problems\n`);
        }
      } finally {
        await surface.teardown?.(setup).catch(() => {});
      }
    }
  } finally {
    await coordinatorGrpcSurface.teardown!(coordinator);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

let servers: ServersSample | undefined;
if (Number(values["server-sample"]) > 0 && chosen.some((s) => s.name.startsWith("grpc-"))) {
  servers = await serversSample(seed, inputs, Number(values["server-sample"]), timeoutMs);
  process.stderr.write(`server processes: ${servers.counts.map((c) => `${c.surface} ${c.inputs} inputs ${c.bugs.length} bugs`).join(", ")}; exits ${JSON.stringify(servers.exits)}; ${servers.problems.length} problems\n`);
}

const extra = (["surfaces", "cli-sample", "server-sample", "timeout-ms"] as const).filter((k) => values[k] !== undefined && process.argv.includes(`--${k}`));
const command = `npx tsx bench/fuzz/run.ts --inputs ${inputs} --seed ${seed}${extra.map((k) => ` --${k} ${values[k]}`).join("")}`;
const input = { command, started, load, cores: cpus().length, runs, samples, servers, seed };
writeFileSync(values.out!, report(input));
if (values.json) writeFileSync(values.json, JSON.stringify(input, null, 1));
process.stderr.write(`wrote ${values.out}\n`);
