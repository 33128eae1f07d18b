// The pool's directory of agents, driven by heartbeats on a bus and a fake clock: join, sweep, leave.
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../common/log.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { AgentDirectory } from "../../coordinator/pool/remote-agents.ts";
import { sleepPlan } from "../fixtures/sleep-runner.ts";

function setup() {
  let now = 1_000;
  const bus = new MemoryEventBusImpl();
  const lost: string[] = [];
  const dir = new AgentDirectory(bus, silentLogger(), { lostAfterMs: 500, sweepMs: 60_000, now: () => now }, () => {}, (a) => lost.push(a.id));
  const beat = (id: string, extra: Record<string, unknown> = {}) =>
    bus.publish("c2i.agent.heartbeat", { id, address: `127.0.0.1:${id === "a1" ? 1 : 2}`, backend: "wasm", svd: "lapack", capacity: 2, inFlight: 0, cachedModels: ["m"], ...extra });
  return { dir, bus, lost, beat, advance: (ms: number) => (now += ms) };
}

describe("AgentDirectory", () => {
  it("lists agents from their heartbeats, with capacity, backend and cached models", () => {
    const { dir, beat } = setup();
    beat("a1");
    beat("a2", { inFlight: 1 });
    expect(dir.info()).toMatchObject([
      { id: "a1", state: "idle", capacity: 2, backend: "wasm", cachedModels: ["m"] },
      { id: "a2", state: "busy", inFlight: 1 },
    ]);
    dir.close();
  });

  it("marks an agent lost when its heartbeats stop while others keep beating, and back when it returns", () => {
    const { dir, beat, advance, lost } = setup();
    beat("a1");
    beat("a2");
    advance(400);
    beat("a2");
    advance(200);
    dir.sweep();
    expect(lost).toEqual(["a1"]);
    expect(dir.info().map((a) => a.state)).toEqual(["lost", "idle"]);
    beat("a1");
    expect(dir.info().map((a) => a.state)).toEqual(["idle", "idle"]);
    dir.close();
  });

  it("does not declare everyone lost when no heartbeat arrives at all (its own bus is down)", () => {
    const { dir, beat, advance, lost } = setup();
    beat("a1");
    beat("a2");
    advance(5_000);
    dir.sweep();
    expect(lost).toEqual([]);
    dir.close();
  });

  it("keeps an agent's memory plans, leaving out malformed ones, and never lets a malformed report break the directory", () => {
    const { dir, beat } = setup();
    const plan = sleepPlan("m", 2 ** 30);
    beat("a1", { memoryBudget: { budgetBytes: 2 ** 30, plans: [plan, { ...plan, totalBytes: "lots" }, { model: "m2" }, null] } });
    expect(dir.info()[0]!.memoryBudget).toEqual({ budgetBytes: 2 ** 30, plans: [plan] });
    for (const memoryBudget of ["8 GiB", [], { plans: [plan] }, { budgetBytes: -1, plans: [plan] }, null]) {
      beat("a1", { memoryBudget });
      expect(dir.info()[0]).toMatchObject({ id: "a1", state: "idle", cachedModels: ["m"] });
      expect(dir.info()[0]!.memoryBudget, JSON.stringify(memoryBudget)).toBeUndefined();
    }
    // An agent without a budget (or an older one) sends none.
    beat("a2");
    expect(dir.info()[1]).not.toHaveProperty("memoryBudget");
    dir.close();
  });

  it("drops an agent at once when it says it is leaving", () => {
    const { dir, beat, lost } = setup();
    beat("a1");
    beat("a1", { leaving: true });
    expect(lost).toEqual(["a1"]);
    expect(dir.info()[0]!.state).toBe("lost");
    dir.close();
  });
});
