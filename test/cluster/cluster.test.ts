// The cluster under faults, all real and on 127.0.0.1: nats-server -js, `c2i agent` and `c2i coordinator`
// processes computing the demo model. Same answers on 1 or 3 agents, through agent and coordinator
// kill -9, and through a NATS restart; no token → refused; paths outside the roots → refused.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo } from "../../agent/demo/write.ts";
import { memoryBudget } from "../../cli/command.ts";
import { CoordinatorClient, type WatchedEvent } from "../../coordinator/grpc/client.ts";
import { JetStreamJobStore } from "../../coordinator/store/jetstream.ts";
import type { AgentInfo } from "../../coordinator/pool/types.ts";
import type { JobRecord } from "../../coordinator/store/types.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { metricSum, runC2i, startC2i, type C2iProcess } from "../fixtures/processes.ts";

const TOKEN = "test-token-7f3a";
/** A small search on the demo (1344 rows): ~20 evaluate shards, a few seconds on one agent. */
const SETTINGS = { adaptSize: 60, testSize: 60, blockCounts: [1, 4], topM: 2, rates: [0.2, 0.6, 0.9, 0.99], evaluateShardSize: 1, sampleShardSize: 32 };

/** The parts of result.json that must not depend on agents, restarts or timing. */
function essence(r: JobRecord): Record<string, unknown> {
  expect(r.state, r.error).toBe("succeeded");
  const { model, dataset, settings, sets, baseline, chosen, gradientLoss, scores, candidates } = r.result as Record<string, unknown>;
  return { model, dataset, settings, sets, baseline, chosen, gradientLoss, scores, candidates };
}

describe.skipIf(!NATS_SERVER_BIN)("cluster with real processes", () => {
  let nats: NatsServer;
  let root: string;
  let demo: { model: string; dataset: string };
  const agents = new Map<string, C2iProcess>();
  let coordinator: C2iProcess;
  let client: CoordinatorClient;
  let reference: Record<string, unknown>;

  const coordinatorArgs = () => [
    "coordinator", "--nats", nats.url, "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--token", TOKEN, "--lost-after-ms", "2000",
  ];

  async function startCoordinator(): Promise<void> {
    coordinator = await startC2i(coordinatorArgs());
    client?.close();
    client = new CoordinatorClient(String(coordinator.ready.listening), { token: TOKEN });
  }

  async function startAgent(id: string, extra: string[] = []): Promise<void> {
    agents.set(id, await startC2i(["agent", "--nats", nats.url, "--roots", root, "--listen", "127.0.0.1:0", "--id", id, "--heartbeat-ms", "200", ...extra], { C2I_AGENT_TOKEN: TOKEN }));
  }

  async function liveAgents(n: number): Promise<void> {
    await expect.poll(async () => (await client.agents()).filter((a) => a.state !== "lost").length, { timeout: 30_000, interval: 100 }).toBe(n);
  }

  /** Submits the reference job; `during` sees every event and may inject a fault. */
  async function runJob(during: (e: WatchedEvent, id: string) => Promise<void> | void = () => {}): Promise<{ id: string; events: WatchedEvent[] }> {
    const job = await client.submit({ model: demo.model, dataset: demo.dataset, settings: SETTINGS });
    const events: WatchedEvent[] = [];
    for await (const e of client.watch(job.id)) {
      events.push(e);
      await during(e, job.id);
    }
    return { id: job.id, events };
  }

  /** After a fault the watch stream may end early: wait for the record to settle. */
  async function settled(id: string): Promise<JobRecord> {
    for (;;) {
      for await (const e of client.watch(id)) if (e.event === "state" && ["succeeded", "failed", "cancelled"].includes(String(e.data.state))) break;
      const r = await client.get(id);
      if (["succeeded", "failed", "cancelled"].includes(r.state)) return r;
    }
  }

  beforeAll(async () => {
    nats = await NatsServer.start();
    root = realpathSync(mkdtempSync(join(tmpdir(), "c2i-cluster-")));
    demo = writeDemo(join(root, "demo"));
    await Promise.all([startAgent("agent-1", ["--metrics", "127.0.0.1:0"]), startCoordinator()]);
  });

  afterAll(async () => {
    client?.close();
    await coordinator?.stop();
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await nats?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("gives identical results for the same job on 1 agent and on 3 agents", async () => {
    await liveAgents(1);
    const one = await runJob();
    reference = essence(await client.get(one.id));
    expect((reference.chosen as { edit: boolean }).edit).toBe(true);
    await Promise.all([startAgent("agent-2"), startAgent("agent-3")]);
    await liveAgents(3);
    const three = await runJob();
    expect(essence(await client.get(three.id))).toEqual(reference);
    const used = (await client.get(three.id)).result!.agents as { id: string }[];
    expect(used.length).toBeGreaterThan(1);
    // The agent's own metrics saw its shards, their SVDs and its tfjs memory.
    const agentMetrics = String(agents.get("agent-1")!.ready.metrics);
    expect(await metricSum(agentMetrics, "c2i_agent_shards_total", 'outcome="ok"')).toBeGreaterThan(0);
    expect(await metricSum(agentMetrics, "c2i_agent_svd_duration_seconds_count")).toBeGreaterThan(0);
    expect(await metricSum(agentMetrics, "c2i_agent_tfjs_bytes")).toBeGreaterThan(0);
  });

  it("completes with identical results when an agent is killed -9 during the evaluate phase, and counts the retry", async () => {
    const retriedBefore = await metricSum(String(coordinator.ready.metrics), "c2i_coordinator_shards_retried_total");
    let victim: string | undefined;
    const { id } = await runJob(async (e) => {
      if (victim || e.event !== "phase" || e.data.phase !== "evaluate" || e.data.status !== "started") return;
      const busy = (await client.agents()).find((a) => a.state === "busy");
      victim = busy?.id ?? "agent-3";
      await agents.get(victim)!.kill9();
    });
    expect(victim).toBeDefined();
    expect(essence(await settled(id))).toEqual(reference);
    expect(await metricSum(String(coordinator.ready.metrics), "c2i_coordinator_shards_retried_total")).toBeGreaterThan(retriedBefore);
    await expect.poll(async () => (await client.agents()).find((a) => a.id === victim)?.state, { timeout: 15_000 }).toBe("lost");
    agents.delete(victim!);
  });

  it("resumes a job after the coordinator is killed -9 and restarted, losing and double-counting no shard", async () => {
    let killed = false;
    const job = await client.submit({ model: demo.model, dataset: demo.dataset, settings: SETTINGS });
    for await (const e of client.watch(job.id)) {
      if (!killed && e.event === "progress" && e.data.phase === "evaluate" && Number(e.data.done) >= 2) {
        killed = true;
        await coordinator.kill9();
        break;
      }
    }
    expect(killed).toBe(true);
    await startCoordinator();
    expect(coordinator.ready.resumed).toEqual([job.id]);
    const phases: WatchedEvent[] = [];
    for await (const e of client.watch(job.id)) if (e.event === "phase") phases.push(e);
    const final = await settled(job.id);
    expect(essence(final)).toEqual(reference);
    // The resumed run reused the evaluate shards stored before the kill, and the store holds each
    // planned shard exactly once.
    const started = phases.filter((p) => p.data.status === "started");
    const evaluate = started.find((p) => p.data.phase === "evaluate");
    if (evaluate) expect(Number(evaluate.data.reused)).toBeGreaterThanOrEqual(2);
    const store = await JetStreamJobStore.connect({ servers: nats.url });
    try {
      const results = await store.shardResults(job.id);
      const planned = (final.result!.phases as { shards: number }[]).reduce((n, p) => n + p.shards, 0);
      expect(results.size).toBe(planned);
    } finally {
      await store.close();
    }
  });

  it("completes when nats-server restarts mid-job: agents and coordinator reconnect", async () => {
    let restarted = false;
    const { id } = await runJob(async (e) => {
      if (restarted || e.event !== "phase" || e.data.phase !== "evaluate" || e.data.status !== "started") return;
      restarted = true;
      await nats.restart();
    });
    expect(restarted).toBe(true);
    expect(essence(await settled(id))).toEqual(reference);
  });

  it("cancels a running job: the record ends cancelled and the agents are freed", async () => {
    let cancelled = false;
    const { id } = await runJob(async (e, jobId) => {
      if (cancelled || e.event !== "phase" || e.data.phase !== "evaluate" || e.data.status !== "started") return;
      cancelled = true;
      expect((await client.cancel(jobId)).state).toBe("cancelled");
    });
    expect(cancelled).toBe(true);
    expect((await client.get(id)).state).toBe("cancelled");
    await expect.poll(async () => (await client.agents()).filter((a) => a.state === "busy").length, { timeout: 15_000 }).toBe(0);
  });

  it("serves the CLI: `c2i submit --wait`, `c2i agents --json` with the token and each agent's memory plan, and refuses `c2i jobs` without it (exit 2)", async () => {
    const address = String(coordinator.ready.listening);
    const submitted = await runC2i(
      ["submit", "--coordinator", address, "--model", demo.model, "--dataset", demo.dataset, "--settings", JSON.stringify(SETTINGS), "--wait", "--json"],
      { C2I_TOKEN: TOKEN },
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const lines = submitted.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.event === "progress")).toBe(true);
    expect(essence(lines.at(-1) as unknown as JobRecord)).toEqual(reference);
    const listed = await runC2i(["agents", "--coordinator", address, "--json"], { C2I_TOKEN: TOKEN });
    expect(listed.code, listed.stderr).toBe(0);
    const live = (await client.agents()).filter((a) => a.state !== "lost").map((a) => a.id);
    expect(live.length).toBeGreaterThan(0);
    const shown = JSON.parse(listed.stdout) as AgentInfo[];
    expect(shown.map((a) => a.id)).toEqual(expect.arrayContaining(live));
    // Every live agent ran the demo job and keeps the model: its heartbeat carries the model's plan under its
    // budget (no --memory-gib: 80% of this machine's memory).
    const budgetBytes = memoryBudget(undefined).bytes;
    for (const a of shown.filter((x) => live.includes(x.id))) {
      expect(a.memoryBudget, a.id).toMatchObject({ budgetBytes, plans: [expect.objectContaining({ model: demo.model, budgetBytes, microBatch: expect.objectContaining({ rows: 16 }) })] });
      const plan = a.memoryBudget!.plans[0]!;
      expect(plan.hostWeightBytes + plan.backendWeightBytes, a.id).toBeGreaterThan(0);
      expect(plan.totalBytes, a.id).toBeLessThanOrEqual(budgetBytes);
    }
    const refused = await runC2i(["jobs", "--coordinator", address], { C2I_TOKEN: "" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/UNAUTHENTICATED/);
  });

  it("runs `c2i adapt --coordinator` on the cluster and writes the same search result", async () => {
    const out = join(root, "adapt-out");
    const ran = await runC2i(
      ["adapt", "--coordinator", String(coordinator.ready.listening), "--model", demo.model, "--dataset", demo.dataset, "--out", out,
        "--no-checkpoint", "--json", "--adapt-size", "60", "--test-size", "60", "--blocks", "1,4", "--top-m", "2", "--rates", "0.2,0.6,0.9,0.99"],
      { C2I_TOKEN: TOKEN },
    );
    expect(ran.code, ran.stderr).toBe(0);
    const written = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as Record<string, unknown>;
    const same = (r: Record<string, unknown>) => ({ chosen: r.chosen, baseline: r.baseline, scores: r.scores, candidates: r.candidates, sets: r.sets });
    expect(same(written)).toEqual(same(reference));
  });

  it("refuses a client without the token", async () => {
    const anonymous = new CoordinatorClient(String(coordinator.ready.listening));
    try {
      await expect(anonymous.list()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
      await expect(anonymous.submit({ model: demo.model, dataset: demo.dataset })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    } finally {
      anonymous.close();
    }
    const wrong = new CoordinatorClient(String(coordinator.ready.listening), { token: "nope" });
    try {
      await expect(wrong.agents()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    } finally {
      wrong.close();
    }
  });

  it("fails a job whose dataset is ../../etc/passwd: the agent refuses the path", async () => {
    const job = await client.submit({ model: demo.model, dataset: "../../etc/passwd", settings: SETTINGS });
    const final = await settled(job.id);
    expect(final.state).toBe("failed");
    expect(final.error).toMatch(/PATH_NOT_ALLOWED/);
    expect(final.error).toContain("../../etc/passwd");
  });
});
