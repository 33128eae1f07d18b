// `c2i sweep --coordinator` on a real cluster (nats-server -js, a coordinator, two `c2i agent` processes): the
// coordinator is killed -9 mid-sweep and restarted on its address; the sweep follows its resumed jobs to the same
// numbers as an uninterrupted sweep, every planned shard stored once; a rerun redoes nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo } from "../../agent/demo/write.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";
import { JetStreamJobStore } from "../../coordinator/store/jetstream.ts";
import type { SweepSummary } from "../../coordinator/sweep/summary.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { freePort } from "../fixtures/ports.ts";
import { runC2i, startC2i, type C2iProcess } from "../fixtures/processes.ts";

const BIN = join(import.meta.dirname, "../../bin/c2i.mjs");
const FLAGS = ["--adapt-size", "60", "--test-size", "60", "--blocks", "1,4", "--top-m", "2", "--rates", "0.2,0.6,0.9,0.99"];
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

describe.skipIf(!NATS_SERVER_BIN)("c2i sweep on a cluster", () => {
  let nats: NatsServer;
  let root: string;
  let address: string;
  let coordinator: C2iProcess;
  const agents: C2iProcess[] = [];
  let cells: string[];

  const startCoordinator = async () => {
    coordinator = await startC2i(["coordinator", "--nats", nats.url, "--listen", address, "--lost-after-ms", "2000"]);
  };

  beforeAll(async () => {
    nats = await NatsServer.start();
    root = realpathSync(mkdtempSync(join(tmpdir(), "c2i-sweep-cluster-")));
    const demo = writeDemo(join(root, "demo"));
    const half = join(root, "half.jsonl");
    writeFileSync(half, readFileSync(demo.dataset, "utf8").split("\n").slice(0, 700).join("\n") + "\n");
    cells = ["--models", demo.model, "--datasets", `${demo.dataset},${half}`];
    address = `127.0.0.1:${await freePort()}`;
    await startCoordinator();
    for (const id of ["a1", "a2"]) agents.push(await startC2i(["agent", "--nats", nats.url, "--roots", root, "--listen", "127.0.0.1:0", "--id", id, "--heartbeat-ms", "200"]));
  });

  afterAll(async () => {
    await coordinator?.stop();
    await Promise.all(agents.map((a) => a.stop()));
    await nats?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("follows its jobs through a coordinator kill -9 and restart, to the numbers of an uninterrupted sweep", async () => {
    const agentsUp = new CoordinatorClient(address);
    try {
      await expect.poll(async () => (await agentsUp.agents()).filter((a) => a.state !== "lost").length, { timeout: 30_000 }).toBe(2);
    } finally {
      agentsUp.close();
    }
    const out = join(root, "interrupted");
    const sweep = spawn(process.execPath, [BIN, "sweep", "--coordinator", address, ...cells, "--out", out, ...FLAGS], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, C2I_LOG_LEVEL: "warn" } });
    let stderr = "";
    sweep.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => sweep.once("exit", (code) => resolve(code)));

    // Kill the coordinator once a cell is in its evaluate phase; restart it on the same address.
    const client = new CoordinatorClient(address);
    try {
      await expect.poll(async () => (await client.list()).some((j) => j.state === "running" && j.phase === "evaluate"), { timeout: 120_000, interval: 200 }).toBe(true);
    } finally {
      client.close();
    }
    await coordinator.kill9();
    await startCoordinator();
    expect((coordinator.ready.resumed as string[]).length).toBeGreaterThan(0);
    expect(await exited, stderr).toBe(0);
    const summary = readJson<SweepSummary>(join(out, "sweep.json"));
    expect(summary.cells.map((c) => c.state)).toEqual(["succeeded", "succeeded"]);

    // Every planned shard of every job is stored exactly once.
    const state = readJson<{ jobs: Record<string, { jobId: string }> }>(join(out, "sweep-state.json"));
    const store = await JetStreamJobStore.connect({ servers: nats.url });
    try {
      for (const cell of summary.cells) {
        const result = readJson<ResultDocument>(join(out, cell.name, "result.json"));
        const planned = result.phases.reduce((n, p) => n + p.shards, 0);
        expect((await store.shardResults(state.jobs[cell.name]!.jobId)).size, cell.name).toBe(planned);
      }
    } finally {
      await store.close();
    }

    // The same sweep without a fault: the same numbers, cell by cell.
    const clean = join(root, "clean");
    const ran = await runC2i(["sweep", "--coordinator", address, ...cells, "--out", clean, ...FLAGS]);
    expect(ran.code, ran.stderr).toBe(0);
    for (const cell of summary.cells) {
      expect(resultNumbers(readJson<ResultDocument>(join(out, cell.name, "result.json"))), cell.name).toEqual(resultNumbers(readJson<ResultDocument>(join(clean, cell.name, "result.json"))));
    }

    // A rerun finds every cell finished: no job is submitted.
    const before = await listJobs();
    const again = await runC2i(["sweep", "--coordinator", address, ...cells, "--out", out, ...FLAGS, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as SweepSummary).cells.map((c) => c.reused)).toEqual([true, true]);
    expect(await listJobs()).toBe(before);
  });

  async function listJobs(): Promise<number> {
    const client = new CoordinatorClient(address);
    try {
      return (await client.list()).length;
    } finally {
      client.close();
    }
  }
});
