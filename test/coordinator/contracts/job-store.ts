// The JobStore contract, as a suite any implementation runs (memory here; JetStream KV in the cluster tests).
import { describe, expect, it } from "vitest";
import type { ShardResult } from "../../../common/shards.ts";
import type { JobRecord, JobStore } from "../../../coordinator/store/types.ts";

const record = (id: string): Omit<JobRecord, "revision"> => ({ id, spec: { model: "m", dataset: "d" }, state: "queued", createdAt: "t0", updatedAt: "t0" });
const result = (shardId: string, loss: number): ShardResult => ({ kind: "score", shardId, loss, scores: [], timings: {} });

/** `open` returns a fresh, empty store; the suite closes it. Job ids are unique per call so shared servers work. */
export function jobStoreContract(name: string, open: () => Promise<JobStore>): void {
  let n = 0;
  const id = () => `job-${process.pid}-${Date.now()}-${n++}`;

  describe(`JobStore contract: ${name}`, () => {
    it("creates, reads and lists jobs with rising revisions", async () => {
      const store = await open();
      try {
        const a = await store.create(record(id()));
        const b = await store.create(record(id()));
        expect(b.revision).toBeGreaterThan(a.revision);
        expect(await store.get(a.id)).toEqual(a);
        expect((await store.list()).map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
        expect(await store.get("missing-" + id())).toBeUndefined();
        await expect(store.create(record(a.id))).rejects.toThrow();
      } finally {
        await store.close();
      }
    });

    it("updates by read-modify-write and bumps the revision", async () => {
      const store = await open();
      try {
        const a = await store.create(record(id()));
        const u = await store.update(a.id, (r) => ({ ...r, state: "running", phase: "score" }));
        expect(u).toMatchObject({ state: "running", phase: "score" });
        expect(u.revision).toBeGreaterThan(a.revision);
        expect(await store.get(a.id)).toEqual(u);
        await expect(store.update("missing-" + id(), (r) => r)).rejects.toThrow();
      } finally {
        await store.close();
      }
    });

    it("records a shard result exactly once", async () => {
      const store = await open();
      try {
        const a = await store.create(record(id()));
        expect(await store.putShardResult(a.id, result(`${a.id}/score/0`, 1))).toBe(true);
        expect(await store.putShardResult(a.id, result(`${a.id}/score/0`, 2))).toBe(false);
        expect(await store.putShardResult(a.id, result(`${a.id}/score/1`, 3))).toBe(true);
        const got = await store.shardResults(a.id);
        expect([...got.keys()].sort()).toEqual([`${a.id}/score/0`, `${a.id}/score/1`]);
        expect((got.get(`${a.id}/score/0`) as { loss: number }).loss).toBe(1);
      } finally {
        await store.close();
      }
    });

    it("hands out copies: mutating what it returns changes nothing stored", async () => {
      const store = await open();
      try {
        const a = await store.create(record(id()));
        a.spec.model = "changed";
        const got = (await store.get(a.id))!;
        expect(got.spec.model).toBe("m");
        got.state = "failed";
        expect((await store.get(a.id))!.state).toBe("queued");
        const r = result(`${a.id}/score/0`, 1);
        await store.putShardResult(a.id, r);
        (r as { loss: number }).loss = 99;
        expect(((await store.shardResults(a.id)).get(r.shardId) as { loss: number }).loss).toBe(1);
      } finally {
        await store.close();
      }
    });
  });
}
