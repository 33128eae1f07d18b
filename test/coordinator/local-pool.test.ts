// Specification of the in-process agent pool, against a protocol-only fake agent (the real one is covered in test/e2e).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EvaluateShard } from "../../common/shards.ts";
import { LocalAgentPoolImpl } from "../../coordinator/pool/local.ts";

const entry = new URL("./fixtures/fake-agent.mjs", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "c2i-pool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shard = (id: string, model = "ok"): EvaluateShard => ({
  kind: "evaluate", shardId: id, ref: { jobId: "j", model, dataset: "d" }, samples: { name: "s", indices: [0] }, candidates: [null],
});

describe.each(["child", "worker"] as const)("local agent pool (%s agents)", (mode) => {
  it("starts N agents, spreads shards over the least loaded, and closes them all", async () => {
    const pool = await LocalAgentPoolImpl.start({ agents: 2, mode, entry, inheritStderr: false });
    try {
      expect(pool.agents().map((a) => [a.id, a.backend, a.state])).toEqual([["local-0", "fake", "idle"], ["local-1", "fake", "idle"]]);
      const results = await Promise.all([1, 2, 3, 4].map((i) => pool.run(shard(`j/evaluate/${i}`))));
      const agentsUsed = new Set(results.map((r) => Object.keys(r.timings)[0]));
      expect(agentsUsed).toEqual(new Set(["local-0", "local-1"]));
      expect(results.map((r) => r.shardId)).toEqual(["j/evaluate/1", "j/evaluate/2", "j/evaluate/3", "j/evaluate/4"]);
    } finally {
      await pool.close();
    }
    expect(pool.agents()).toEqual([]);
    await expect(pool.run(shard("j/evaluate/9"))).rejects.toThrow(/closed/);
  });

  it("shares one agent fairly between jobs: a job that arrives later is not queued behind another's shards", async () => {
    const pool = await LocalAgentPoolImpl.start({ agents: 1, mode, entry, inheritStderr: false });
    const of = (job: string, i: number): EvaluateShard => ({ ...shard(`${job}/evaluate/${i}`), ref: { jobId: job, model: "ok", dataset: "d" } });
    try {
      const finished: string[] = [];
      const runs = [...[1, 2, 3, 4].map((i) => of("a", i)), ...[1, 2].map((i) => of("b", i))].map((s) => pool.run(s).then((r) => void finished.push(r.shardId)));
      await Promise.all(runs);
      expect(finished).toEqual(["a/evaluate/1", "b/evaluate/1", "a/evaluate/2", "b/evaluate/2", "a/evaluate/3", "a/evaluate/4"]);
    } finally {
      await pool.close();
    }
  });

  it("maps an agent's error to a C2iError with its code", async () => {
    const pool = await LocalAgentPoolImpl.start({ agents: 1, mode, entry, inheritStderr: false });
    try {
      await expect(pool.run(shard("j/evaluate/0", "fail"))).rejects.toMatchObject({ name: "C2iError", code: "DATASET_INVALID", message: "bad rows" });
    } finally {
      await pool.close();
    }
  });

  it("cancels a running shard through its signal, and enforces deadlines", { timeout: 20_000 }, async () => {
    const pool = await LocalAgentPoolImpl.start({ agents: 1, mode, entry, inheritStderr: false });
    try {
      const abort = new AbortController();
      const running = pool.run(shard("j/evaluate/0", "hang"), { signal: abort.signal });
      const queued = pool.run(shard("j/evaluate/1"), { signal: abort.signal });
      abort.abort();
      await expect(running).rejects.toMatchObject({ code: "JOB_CANCELLED" });
      await expect(queued).rejects.toMatchObject({ code: "JOB_CANCELLED" });
      await expect(pool.run(shard("j/evaluate/2", "hang"), { deadlineMs: 50 })).rejects.toMatchObject({ code: "SHARD_FAILED" });
      expect((await pool.run(shard("j/evaluate/3"))).shardId).toBe("j/evaluate/3");
    } finally {
      await pool.close();
    }
  });

  it("fails to start with the agent's own error code, leaving no agent behind", async () => {
    await expect(LocalAgentPoolImpl.start({ agents: 2, mode, entry, inheritStderr: false, agent: { backend: "tensorflow-gpu" } })).rejects.toMatchObject({
      code: "UNSUPPORTED_ARCH",
      message: expect.stringContaining("no GPU backend here"),
    });
  });

  it("retries a shard on a fresh agent when its agent dies", async () => {
    const pool = await LocalAgentPoolImpl.start({ agents: 1, mode, entry, inheritStderr: false });
    try {
      const retries: number[] = [];
      const r = await pool.run(shard("j/evaluate/0", `crash-once:${join(dir, `${mode}-crash`)}`), { onRetry: (_id, attempt) => retries.push(attempt) });
      expect(r.shardId).toBe("j/evaluate/0");
      expect(retries).toEqual([2]);
      expect(pool.agents().map((a) => a.id)).toEqual(["local-1"]);
    } finally {
      await pool.close();
    }
  });
});
