// The local pool's parts of stopping `c2i adapt`: asking agents for their state, and killing them at once.
import { describe, expect, it } from "vitest";
import type { EvaluateShard } from "../../common/shards.ts";
import { LocalAgentPoolImpl } from "../../coordinator/pool/local.ts";
import { alive } from "../fixtures/processes.ts";

const entry = new URL("./fixtures/fake-agent.mjs", import.meta.url);

const shard = (id: string, model: string): EvaluateShard => ({
  kind: "evaluate", shardId: id, ref: { jobId: "j", model, dataset: "d" }, samples: { name: "s", indices: [0] }, candidates: [null],
});


describe("local agent pool, stopping", () => {
  it("describeAgents asks every agent for its current description, in agent order", async () => {
    const pool = await LocalAgentPoolImpl.start({ agents: 2, mode: "child", entry, inheritStderr: false });
    try {
      const described = await pool.describeAgents();
      expect(described.map((d) => d.agentId)).toEqual(["local-0", "local-1"]);
      expect(new Set(described.map((d) => d.pid)).size).toBe(2);
      expect(described.every((d) => d.pid !== process.pid && alive(d.pid))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it("kill ends every agent process at once, even one busy with a shard, and fails that shard instead of retrying it", async () => {
    const pool = await LocalAgentPoolImpl.start({ agents: 2, mode: "child", entry, inheritStderr: false });
    const pids = (await pool.describeAgents()).map((d) => d.pid);
    const busy = pool.run(shard("j/evaluate/0", "hang"));
    const failed = expect(busy).rejects.toMatchObject({ code: "AGENT_LOST" });
    pool.kill();
    await failed;
    await pool.close();
    expect(pids.filter(alive)).toEqual([]);
    await expect(pool.run(shard("j/evaluate/1", "ok"))).rejects.toThrow(/closed/);
  });
});
