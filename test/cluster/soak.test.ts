// The soak at a CI size (bench/soak/run.ts runs 20 jobs on 4 agents): 2 models × 3 datasets as one sweep on a
// coordinator with 3 agents, while an agent is killed -9 and restarted, the coordinator is killed -9 and restarted,
// and nats-server restarts. Every job succeeds with its fault-free numbers, and every planned shard result is stored
// exactly once (none lost, none counted twice).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSoak } from "../../bench/soak/soak.ts";
import { NATS_SERVER_BIN } from "../fixtures/nats.ts";

const root = mkdtempSync(join(tmpdir(), "c2i-soak-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!NATS_SERVER_BIN)("the cluster under load and faults", () => {
  it("ends every job of a sweep succeeded, with its fault-free numbers and each shard stored once", { timeout: 600_000 }, async () => {
    const r = await runSoak({ root, models: 2, datasets: 3, agents: 3 });
    expect(r.faults.map((f) => f.what.replace(/ \(.*\)$/, ""))).toEqual(
      expect.arrayContaining(["agent-0 killed -9", "coordinator killed -9", "coordinator restarted", "nats-server restarted", "agent-0 restarted"]),
    );
    expect(r).toMatchObject({ jobs: 6, succeeded: 6, identical: 6, mismatched: [] });
    expect(r.shards.stored).toBe(r.shards.planned);
    expect(r.shards.jobsWithMismatch).toEqual([]);
  });
});
