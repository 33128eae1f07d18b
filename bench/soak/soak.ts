// The cluster under load and faults at once: a models × datasets sweep on a coordinator with several agents while an
// agent is killed -9 and restarted, the coordinator is killed -9 and restarted on its address, and nats-server
// restarts. Checks every job against an embedded run of the same cells, counts the stored shard results, and samples
// the coordinator's memory. Used by bench/soak/run.ts (the full size) and test/cluster/soak.test.ts (a small one).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeDemo } from "../../agent/demo/write.ts";
import { mulberry32, shuffleInPlace } from "../../common/random.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";
import { JetStreamJobStore } from "../../coordinator/store/jetstream.ts";
import type { SweepSummary } from "../../coordinator/sweep/summary.ts";
import { NatsServer } from "../../test/fixtures/nats.ts";
import { freePort } from "../../test/fixtures/ports.ts";
import { runC2i, startC2i, type C2iProcess } from "../../test/fixtures/processes.ts";

const BIN = join(import.meta.dirname, "../../bin/c2i.mjs");
/** A small search per job (3 block counts × top 3 × 6 rates: 6 evaluate shards), so that many fit the machine. */
const SEARCH = ["--adapt-size", "60", "--test-size", "60", "--blocks", "1,2,4", "--top-m", "3", "--rates", "0.1,0.2,0.4,0.6,0.8,0.9"];

export interface SoakOptions {
  /** A folder the soak owns (models, datasets, outputs). */
  root: string;
  /** 1 or 2 demo models (2 and 3 layers). */
  models: 1 | 2;
  datasets: number;
  agents: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  jobs: number;
  succeeded: number;
  /** Cells whose numbers equal the embedded reference run's, and those that do not. */
  identical: number;
  mismatched: string[];
  /** Shard results stored per job vs planned, summed over the jobs. */
  shards: { planned: number; stored: number; jobsWithMismatch: string[] };
  faults: { at: number; what: string }[];
  coordinatorRssMiB: { first: number; max: number; last: number };
  seconds: { sweep: number; reference: number };
}

function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** `count` tasks from the demo's rows: seeded orders and sizes, so every cell's job differs. */
function writeDatasets(dir: string, source: string, count: number): string[] {
  const rows = readFileSync(source, "utf8").trim().split("\n");
  return Array.from({ length: count }, (_, i) => {
    const order = rows.map((_, j) => j);
    shuffleInPlace(order, mulberry32(100 + i));
    const file = join(dir, `task-${i}.jsonl`);
    writeFileSync(file, order.slice(0, Math.min(rows.length, 400 + 90 * i)).map((j) => rows[j]).join("\n") + "\n");
    return file;
  });
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  const at = () => Math.round((performance.now() - t0) / 100) / 10;
  mkdirSync(o.root, { recursive: true });
  const models = [writeDemo(join(o.root, "demo-2")).model, ...(o.models === 2 ? [writeDemo(join(o.root, "demo-3"), undefined, { layers: 3 }).model] : [])];
  const datasets = writeDatasets(o.root, join(o.root, "demo-2", "dataset.jsonl"), o.datasets);
  const cells = ["--models", models.join(","), "--datasets", datasets.join(",")];
  const nats = await NatsServer.start();
  const address = `127.0.0.1:${await freePort()}`;
  const faults: SoakReport["faults"] = [];
  const rss: number[] = [];
  let coordinator: C2iProcess | undefined;
  const agents = new Map<string, C2iProcess>();
  const startCoordinator = async () => (coordinator = await startC2i(["coordinator", "--nats", nats.url, "--listen", address, "--lost-after-ms", "2000"]));
  const startAgent = async (id: string) => agents.set(id, await startC2i(["agent", "--nats", nats.url, "--roots", o.root, "--listen", "127.0.0.1:0", "--id", id, "--heartbeat-ms", "200"]));
  const client = () => new CoordinatorClient(address);
  try {
    await startCoordinator();
    for (let i = 0; i < o.agents; i++) await startAgent(`agent-${i}`);
    const out = join(o.root, "soak");
    log(`${at()} s: sweep of ${models.length * datasets.length} cells on ${o.agents} agents`);
    const sweep = spawn(process.execPath, [BIN, "sweep", "--coordinator", address, ...cells, "--out", out, ...SEARCH], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, C2I_LOG_LEVEL: "warn" } });
    let stderr = "";
    sweep.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    let ended: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => sweep.once("exit", (code) => resolve((ended = code))));
    const sampler = setInterval(() => {
      const v = coordinator?.child.pid === undefined ? undefined : rssMiB(coordinator.child.pid);
      if (v !== undefined) rss.push(v);
    }, 250);

    /** Waits until `n` jobs are finished (or a job is in evaluate when n = 0). */
    const until = async (test: (jobs: Awaited<ReturnType<CoordinatorClient["list"]>>) => boolean) => {
      for (;;) {
        if (ended !== undefined) throw new Error(`the soak sweep ended (exit ${ended}) before the faults were made:\n${stderr}`);
        const c = client();
        try {
          if (test(await c.list())) return;
        } catch {
          // The coordinator is restarting.
        } finally {
          c.close();
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const working = (jobs: { state: string; phase?: string }[]) => jobs.some((j) => j.state === "running" && (j.phase === "score" || j.phase === "evaluate"));
    // Each fault comes while jobs are mid-search (the jobs run concurrently, so they end close together).
    await until(working);
    const fault = (what: string) => {
      faults.push({ at: at(), what });
      log(`${at()} s: ${what}`);
    };
    fault("agent-0 killed -9");
    await agents.get("agent-0")!.kill9();
    // Its restart takes seconds (loading the compute process); the other faults do not wait for it.
    const restarted = startAgent("agent-0").then(() => fault("agent-0 restarted"));

    await until((jobs) => jobs.some((j) => j.state === "running" && j.phase === "evaluate"));
    fault("coordinator killed -9");
    await coordinator!.kill9();
    await startCoordinator();
    fault(`coordinator restarted (resumed ${(coordinator!.ready.resumed as string[]).length} jobs)`);

    await until(working);
    await nats.restart();
    fault("nats-server restarted");
    await restarted;

    const code = await exited;
    clearInterval(sampler);
    if (code !== 0) throw new Error(`the soak sweep exited ${code}:\n${stderr}`);
    const sweepSeconds = at();
    log(`${sweepSeconds} s: sweep done; counting shards and running the reference`);

    const summary = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")) as SweepSummary;
    const state = JSON.parse(readFileSync(join(out, "sweep-state.json"), "utf8")) as { jobs: Record<string, { jobId: string }> };
    const shards = { planned: 0, stored: 0, jobsWithMismatch: [] as string[] };
    const store = await JetStreamJobStore.connect({ servers: nats.url });
    try {
      for (const cell of summary.cells) {
        const result = JSON.parse(readFileSync(join(out, cell.name, "result.json"), "utf8")) as ResultDocument;
        const planned = result.phases.reduce((n, p) => n + p.shards, 0);
        const stored = (await store.shardResults(state.jobs[cell.name]!.jobId)).size;
        shards.planned += planned;
        shards.stored += stored;
        if (planned !== stored) shards.jobsWithMismatch.push(cell.name);
      }
    } finally {
      await store.close();
    }

    // The reference: the same cells embedded, no faults (each cell equals its job run alone: test/e2e/sweep.test.ts).
    const r0 = performance.now();
    const reference = join(o.root, "reference");
    const ran = await runC2i(["sweep", ...cells, "--out", reference, "--agents", "2", ...SEARCH], { C2I_LOG_LEVEL: "warn" });
    if (ran.code !== 0) throw new Error(`the reference sweep exited ${ran.code}:\n${ran.stderr}`);
    const read = (dir: string, cell: string) => resultNumbers(JSON.parse(readFileSync(join(dir, cell, "result.json"), "utf8")) as ResultDocument);
    const mismatched = summary.cells.filter((c) => JSON.stringify(read(out, c.name)) !== JSON.stringify(read(reference, c.name))).map((c) => c.name);
    return {
      jobs: summary.cells.length,
      succeeded: summary.states.succeeded,
      identical: summary.cells.length - mismatched.length,
      mismatched,
      shards,
      faults,
      coordinatorRssMiB: { first: rss[0] ?? NaN, max: Math.max(...rss), last: rss.at(-1) ?? NaN },
      seconds: { sweep: sweepSeconds, reference: (performance.now() - r0) / 1000 },
    };
  } finally {
    await coordinator?.stop();
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await nats.stop();
  }
}
