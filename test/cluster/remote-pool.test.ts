// The remote AgentPool against real agent servers (gRPC on loopback) heartbeating over a real nats-server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { EvaluateShard, Shard } from "../../common/shards.ts";
import { NatsEventBus } from "../../coordinator/events/nats.ts";
import { CoordinatorMetrics } from "../../coordinator/metrics/registry.ts";
import { RemoteAgentPool } from "../../coordinator/pool/remote.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { expectedResult, sleepPlan } from "../fixtures/sleep-runner.ts";
import { makeRoot, startSleepAgents } from "../fixtures/sleep-agents.ts";

describe.skipIf(!NATS_SERVER_BIN)("RemoteAgentPool", () => {
  let nats: NatsServer;
  let root: ReturnType<typeof makeRoot>;
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    nats = await NatsServer.start();
    root = makeRoot();
  });
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  afterAll(async () => {
    await nats?.stop();
    root?.remove();
  });

  async function setup(count: number, o: Omit<Parameters<typeof startSleepAgents>[1], "count" | "natsUrl"> = {}, pool: Partial<ConstructorParameters<typeof RemoteAgentPool>[0]> = {}) {
    const bus = await NatsEventBus.connect({ servers: nats.url });
    open.push(bus);
    const agents = await startSleepAgents(root.dir, { count, natsUrl: nats.url, ...o });
    for (const a of agents) open.push(a.server);
    const p = new RemoteAgentPool({ bus, lostAfterMs: 600, sweepMs: 100, retryBaseMs: 20, agentToken: o.token, ...pool });
    open.push(p);
    await p.waitForAgents(count);
    return { pool: p, agents };
  }

  function evaluate(jobId: string, i: number, model = root.model): EvaluateShard {
    return {
      kind: "evaluate", shardId: `evaluate:${i}`, ref: { jobId, model, dataset: root.dataset },
      samples: { name: "adapt", indices: [i, i + 1] }, candidates: [null, { matrix: "m", blocks: 2, rate: 0.5 + i / 100 }],
    };
  }

  it("runs shards on the least-loaded agents and returns each agent's result unchanged", async () => {
    const { pool, agents } = await setup(3, { sleepMs: 30 });
    // Three shards on three idle agents of capacity 1: one each (placement happens before any ends).
    const first = Array.from({ length: 3 }, (_, i) => evaluate("j1", i));
    expect(await Promise.all(first.map((s) => pool.run(s)))).toEqual(first.map(expectedResult));
    expect(agents.map((a) => a.runner.started.length)).toEqual([1, 1, 1]);
    // More shards than slots: they queue, and every one runs exactly once somewhere.
    const more = Array.from({ length: 9 }, (_, i) => evaluate("j1", 10 + i));
    expect(await Promise.all(more.map((s) => pool.run(s)))).toEqual(more.map(expectedResult));
    expect(agents.flatMap((a) => a.runner.started).sort()).toEqual([...first, ...more].map((s) => s.shardId).sort());
    // Agents report their load in heartbeats: all idle again once the last ones arrive.
    await expect.poll(() => pool.agents().map((a) => a.state), { timeout: 5_000 }).toEqual(["idle", "idle", "idle"]);
  });

  it("lists each agent's memory budget and its cached models' plans from its heartbeats", async () => {
    const { pool } = await setup(2, { memoryBudgetBytes: 2 ** 30 }, {});
    expect(pool.agents().map((a) => a.memoryBudget)).toEqual([{ budgetBytes: 2 ** 30, plans: [] }, { budgetBytes: 2 ** 30, plans: [] }]);
    await pool.run(evaluate("jp", 0));
    await expect.poll(() => pool.agents().flatMap((a) => a.memoryBudget!.plans), { timeout: 5_000 }).toEqual([sleepPlan(root.model, 2 ** 30)]);
  });

  it("reports each job's shards on agents and its evaluated candidates (not the baseline) to its observer", async () => {
    const running: number[] = [];
    const metrics = new (class extends CoordinatorMetrics {
      override jobInFlight(jobId: string, count: number): void {
        if (jobId === "jm") running.push(count);
        super.jobInFlight(jobId, count);
      }
    })();
    try {
      const { pool } = await setup(2, { sleepMs: 20 }, { observer: metrics });
      await Promise.all(Array.from({ length: 4 }, (_, i) => pool.run(evaluate("jm", i))));
      expect(Math.max(...running)).toBe(2);
      expect(running.at(-1)).toBe(0);
      // Each shard evaluates the baseline and one candidate.
      expect(await metrics.registry.metrics()).toContain('c2i_coordinator_candidates_evaluated_total{job_id="jm"} 4');
    } finally {
      metrics.close();
    }
  });

  it("retries a shard whose compute process died on another agent, and reports the retry", async () => {
    let crashed = false;
    const { pool, agents } = await setup(2, {
      sleepMs: 10,
      fail: (s) => {
        if (s.shardId !== "evaluate:1" || crashed) return undefined;
        crashed = true;
        return new C2iError(ErrorCode.INTERNAL, "compute process 1 exited (SIGKILL)");
      },
    });
    const retries: [string, number][] = [];
    const result = await pool.run(evaluate("j2", 1), { onRetry: (id, attempt) => retries.push([id, attempt]) });
    expect(result).toEqual(expectedResult(evaluate("j2", 1)));
    expect(retries).toEqual([["evaluate:1", 2]]);
    const ran = agents.filter((a) => a.runner.started.includes("evaluate:1")).map((a) => a.id);
    expect(ran).toHaveLength(2);
  });

  it("does not retry a shard the agent refuses for a reason that is the shard's own (path outside roots)", async () => {
    const { pool, agents } = await setup(2);
    const shard = evaluate("j3", 0, "../../etc/passwd");
    await expect(pool.run(shard)).rejects.toMatchObject({ code: "PATH_NOT_ALLOWED" });
    expect(agents.flatMap((a) => a.runner.started)).toEqual([]);
  });

  it("fails a shard that keeps exceeding its deadline after the bounded number of attempts", async () => {
    const { pool, agents } = await setup(2, { sleepMs: 2_000 }, { maxAttempts: 2 });
    const retries: number[] = [];
    await expect(pool.run(evaluate("j4", 0), { deadlineMs: 150, onRetry: (_id, a) => retries.push(a) })).rejects.toMatchObject({ code: "SHARD_FAILED" });
    expect(retries).toEqual([2]);
    // Each agent's runner saw its call cancelled when the deadline passed.
    await expect.poll(() => agents.flatMap((a) => a.runner.cancelled).length, { timeout: 10_000 }).toBe(2);
  });

  it("cancels a running shard on its agent when the job is cancelled", async () => {
    const { pool, agents } = await setup(1, { sleepMs: 5_000 });
    const ac = new AbortController();
    const running = pool.run(evaluate("j5", 0), { signal: ac.signal });
    await expect.poll(() => agents[0]!.runner.started.length).toBe(1);
    ac.abort();
    await expect(running).rejects.toMatchObject({ code: "JOB_CANCELLED" });
    await expect.poll(() => agents[0]!.runner.cancelled).toEqual(["evaluate:0"]);
  });

  it("marks an agent lost when its heartbeats stop, and moves its running shard elsewhere", async () => {
    const { pool, agents } = await setup(1, { sleepMs: 100, ids: ["b-live"] });
    // A second agent whose heartbeats this test sends by hand, so it can stop them (a partition).
    const [ghost] = await startSleepAgents(root.dir, { count: 1, natsUrl: "", noNats: true, sleepMs: 60_000, ids: ["a-ghost"] });
    open.push(ghost!.server);
    const bus = await NatsEventBus.connect({ servers: nats.url });
    open.push(bus);
    const beat = () => bus.publish("c2i.agent.heartbeat", { id: "a-ghost", address: ghost!.server.address, capacity: 1, inFlight: 0, cachedModels: [root.model] });
    beat();
    const timer = setInterval(beat, 100);
    await pool.waitForAgents(2);
    // Cache affinity sends the shard to the ghost, which holds the model.
    const running = pool.run(evaluate("j6", 0));
    await expect.poll(() => ghost!.runner.started.length).toBe(1);
    expect(pool.agents().find((a) => a.id === "a-ghost")?.state).toBe("busy");
    clearInterval(timer);
    await expect.poll(() => pool.agents().find((a) => a.id === "a-ghost")?.state, { timeout: 5_000 }).toBe("lost");
    expect(await running).toEqual(expectedResult(evaluate("j6", 0)));
    expect(agents[0]!.runner.started).toEqual(["evaluate:0"]);
    await expect.poll(() => ghost!.runner.cancelled).toEqual(["evaluate:0"]);
  });

  it("refuses a pool without the agents' token (UNAUTHENTICATED, not retried)", async () => {
    const { pool } = await setup(1, { token: "s3cret" }, { agentToken: "wrong" });
    await expect(pool.run(evaluate("j7", 0) as Shard)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("shares agents fairly between concurrent jobs", async () => {
    const { pool, agents } = await setup(1, { sleepMs: 20 });
    // Job A queues 6 shards first, then job B queues 2: B must not wait for all of A.
    const order: string[] = [];
    const a = Array.from({ length: 6 }, (_, i) => pool.run(evaluate("A", i)).then(() => order.push(`A${i}`)));
    const b = Array.from({ length: 2 }, (_, i) => pool.run(evaluate("B", i)).then(() => order.push(`B${i}`)));
    await Promise.all([...a, ...b]);
    expect(order.indexOf("B1")).toBeLessThan(order.indexOf("A5"));
    expect(agents[0]!.runner.started).toHaveLength(8);
  });
});
