// Scheduling choices as pure functions: placement, fair share, backoff.
import { describe, expect, it } from "vitest";
import { backoffMs, chooseAgent, nextJob, type AgentLoad } from "../../coordinator/pool/scheduling/choose.ts";

const agent = (id: string, inFlight: number, capacity = 2, cachedModels: string[] = [], lost = false): AgentLoad => ({ id, inFlight, capacity, cachedModels, lost });

describe("chooseAgent", () => {
  it("picks the least-loaded agent with a free slot, never a lost or full one", () => {
    expect(chooseAgent([agent("a", 1), agent("b", 0), agent("c", 0, 2, [], true)], "m")?.id).toBe("b");
    expect(chooseAgent([agent("a", 2), agent("b", 1, 1)], "m")).toBeUndefined();
    expect(chooseAgent([agent("a", 3, 4), agent("b", 1, 1)], "m")?.id).toBe("a");
  });

  it("prefers an agent that already holds the model, even if it is busier", () => {
    expect(chooseAgent([agent("a", 0), agent("b", 1, 2, ["m"])], "m")?.id).toBe("b");
  });

  it("prefers agents not yet tried for the shard, and breaks ties by id", () => {
    expect(chooseAgent([agent("a", 0, 2, ["m"]), agent("b", 0)], "m", new Set(["a"]))?.id).toBe("b");
    expect(chooseAgent([agent("b", 0), agent("a", 0)], "m")?.id).toBe("a");
  });
});

describe("nextJob", () => {
  it("serves the job with the fewest running shards, then the least recently served, then the oldest", () => {
    expect(nextJob([{ jobId: "A", running: 2, lastServed: 1, oldest: 0 }, { jobId: "B", running: 1, lastServed: 9, oldest: 5 }])).toBe("B");
    expect(nextJob([{ jobId: "A", running: 0, lastServed: 3, oldest: 0 }, { jobId: "B", running: 0, lastServed: 0, oldest: 5 }])).toBe("B");
    expect(nextJob([{ jobId: "A", running: 0, lastServed: 0, oldest: 7 }, { jobId: "B", running: 0, lastServed: 0, oldest: 5 }])).toBe("B");
    expect(nextJob([])).toBeUndefined();
  });
});

describe("backoffMs", () => {
  it("doubles from the base and stops at the cap", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, 100, 1_000))).toEqual([100, 200, 400, 800, 1_000]);
  });
});
