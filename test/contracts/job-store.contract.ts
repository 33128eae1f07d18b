// The JobStore contract, run against every implementation (memory, JetStream KV).
import { describe, expect, it } from "vitest";
import type { EvaluateResult } from "../../common/shards.ts";
import type { JobRecord, JobStore } from "../../coordinator/store/types.ts";

let seq = 0;
function record(id = `job-${process.pid}-${++seq}`): Omit<JobRecord, "revision"> {
  const now = new Date().toISOString();
  return { id, spec: { model: "m", dataset: "d", settings: { seed: 1 } }, state: "queued", createdAt: now, updatedAt: now };
}

function evaluation(shardId: string, accuracy: number): EvaluateResult {
  return {
    kind: "evaluate", shardId, timings: { evaluate: 1.5 },
    evaluations: [{ candidate: { matrix: "h.0.mlp", blocks: 2, rate: 0.9 }, accuracy, loss: 0.25, n: 100, correct: accuracy * 100 }],
  };
}

export function jobStoreContract(name: string, open: () => Promise<JobStore>): void {
  describe(`JobStore contract: ${name}`, () => {
    it("stores a job and reads it back with a revision", async () => {
      const store = await open();
      try {
        const r = record();
        const created = await store.create(r);
        expect(created.revision).toBeGreaterThan(0);
        expect(await store.get(r.id)).toEqual(created);
        expect(await store.get("no-such-job")).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it("bumps the revision on every update and keeps the change", async () => {
      const store = await open();
      try {
        const created = await store.create(record());
        const updated = await store.update(created.id, (j) => ({ ...j, state: "running", phase: "score" }));
        expect(updated.revision).toBeGreaterThan(created.revision);
        expect(updated.state).toBe("running");
        expect(await store.get(created.id)).toEqual(updated);
      } finally {
        await store.close();
      }
    });

    it("applies concurrent updates without losing any (compare-and-set with retry)", async () => {
      const store = await open();
      try {
        const created = await store.create({ ...record(), spec: { count: 0 } });
        const bump = (j: JobRecord): JobRecord => ({ ...j, spec: { count: (j.spec.count as number) + 1 } });
        await Promise.all(Array.from({ length: 8 }, () => store.update(created.id, bump)));
        expect((await store.get(created.id))!.spec.count).toBe(8);
      } finally {
        await store.close();
      }
    });

    it("refuses to update a job that does not exist", async () => {
      const store = await open();
      try {
        await expect(store.update("missing-job", (j) => j)).rejects.toMatchObject({ code: "NOT_FOUND" });
      } finally {
        await store.close();
      }
    });

    it("records a shard result exactly once, even when it is put twice or concurrently", async () => {
      const store = await open();
      try {
        const { id } = await store.create(record());
        expect(await store.putShardResult(id, evaluation("evaluate:0", 0.5))).toBe(true);
        expect(await store.putShardResult(id, evaluation("evaluate:0", 0.9))).toBe(false);
        const racers = await Promise.all([1, 2, 3].map(() => store.putShardResult(id, evaluation("evaluate/1.x", 0.7))));
        expect(racers.filter(Boolean)).toHaveLength(1);
        const results = await store.shardResults(id);
        expect([...results.keys()].sort()).toEqual(["evaluate/1.x", "evaluate:0"]);
        expect(results.get("evaluate:0")).toEqual(evaluation("evaluate:0", 0.5));
      } finally {
        await store.close();
      }
    });

    it("keeps shard results of different jobs apart", async () => {
      const store = await open();
      try {
        const a = await store.create(record());
        const b = await store.create(record());
        await store.putShardResult(a.id, evaluation("s1", 0.1));
        await store.putShardResult(b.id, evaluation("s1", 0.2));
        expect((await store.shardResults(a.id)).get("s1")).toEqual(evaluation("s1", 0.1));
        expect((await store.shardResults(b.id)).get("s1")).toEqual(evaluation("s1", 0.2));
        expect((await store.shardResults("no-such-job")).size).toBe(0);
      } finally {
        await store.close();
      }
    });

    it("lists every job it holds", async () => {
      const store = await open();
      try {
        const a = await store.create(record());
        const b = await store.create(record());
        const ids = (await store.list()).map((j) => j.id);
        expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
      } finally {
        await store.close();
      }
    });

    it("lists every job promptly while the runner is updating them (found by the fuzz campaign: ListJobs hung)", async () => {
      const store = await open();
      try {
        const ids: string[] = [];
        for (let round = 0; round < 20; round++) {
          const created = await store.create(record());
          ids.push(created.id);
          const updating = (async () => {
            for (let k = 0; k < 5; k++) await store.update(created.id, (j) => ({ ...j, phase: `step-${k}` }));
          })();
          const t0 = performance.now();
          const listed = (await store.list()).map((j) => j.id);
          expect(performance.now() - t0).toBeLessThan(2_000);
          expect(listed).toEqual(expect.arrayContaining(ids));
          await updating;
        }
      } finally {
        await store.close();
      }
    });

    it("hands out copies: mutating what it returns changes nothing stored", async () => {
      const store = await open();
      try {
        const a = await store.create(record());
        a.spec.model = "changed";
        const got = (await store.get(a.id))!;
        expect(got.spec.model).toBe("m");
        got.state = "failed";
        expect((await store.get(a.id))!.state).toBe("queued");
        const r = evaluation(`${a.id}/evaluate/0`, 0.5);
        await store.putShardResult(a.id, r);
        r.evaluations[0]!.loss = 99;
        const stored = (await store.shardResults(a.id)).get(r.shardId) as EvaluateResult;
        expect(stored.evaluations[0]!.loss).toBe(0.25);
      } finally {
        await store.close();
      }
    });
  });
}
