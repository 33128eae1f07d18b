// Specification of the job service and runner over a simulated pool: results, determinism, resume, cancel, failure.
import { afterEach, describe, expect, it } from "vitest";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { JobServiceImpl } from "../../coordinator/jobs/service.ts";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";
import type { JobSpecInput } from "../../coordinator/plan/spec.ts";
import { SimulatedPool, type SimulatedModel, type SimulatedPoolOptions } from "./fakes/simulated-pool.ts";

const model: SimulatedModel = { rows: 600, layers: 4, kinds: ["q", "o", "mlp_in", "mlp_out"], good: { matrix: "h.2.mlp_out.weight", blocks: 2, rate: 0.9 } };
const spec: JobSpecInput = { model: "sim", dataset: "sim", settings: { testSize: 300 } };

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

function setup(pool: SimulatedPoolOptions, store = new MemoryJobStoreImpl(), bus = new MemoryEventBusImpl()) {
  const sim = new SimulatedPool(pool);
  let n = 0;
  const service = new JobServiceImpl({ store, bus, pool: sim, newId: () => `job${n++}` });
  opened.push(store, bus, service);
  return { sim, service, store, bus };
}

async function runToEnd(service: JobServiceImpl, input: JobSpecInput) {
  const job = await service.submit(input);
  return service.wait(job.id);
}

describe("job service", () => {
  it("runs Algorithm 1 to the helpful edit and records every phase", async () => {
    const { service } = setup({ model, agents: 2 });
    const done = await runToEnd(service, spec);
    expect(done.state).toBe("succeeded");
    const r = done.result as unknown as ResultDocument;
    expect(r.chosen.edit).toBe(true);
    expect(r.chosen.candidate).toEqual({ matrix: "h.2.mlp_out.weight", blocks: 2, rate: 0.9 });
    expect(r.chosen.test.accuracy).toBeGreaterThan(r.baseline.test.accuracy);
    expect(r.phases.map((p) => p.name)).toEqual(["prepare", "baseline", "score", "evaluate", "finalize"]);
    expect(r.candidates).toHaveLength(4 * 5 * 9);
    expect(r.scores).toHaveLength(16 * 4);
    expect(r.sets).toEqual({ selection: { name: "adapt", n: 100 }, test: { n: 300 } });
    expect(r.recipe.edits).toEqual([{ matrix: "h.2.mlp_out.weight", blocks: 2, rate: 0.9, keptRanks: [1, 1], clustering: "blocks" }]);
  });

  it("gives the same numbers on 1 and 3 agents and any completion order", async () => {
    const a = await runToEnd(setup({ model, agents: 1, jitterSeed: 1 }).service, spec);
    const { service, sim } = setup({ model, agents: 3, jitterSeed: 2 });
    const b = await runToEnd(service, spec);
    expect(sim.maxInFlight).toBe(3);
    expect(resultNumbers(b.result as unknown as ResultDocument)).toEqual(resultNumbers(a.result as unknown as ResultDocument));
  });

  it("laser evaluates every matrix × rate at K = 1 on the validation split", async () => {
    const { service } = setup({ model, agents: 2 });
    const r = (await runToEnd(service, { model: "sim", dataset: "sim", strategy: "laser" })).result as unknown as ResultDocument;
    expect(r.phases.map((p) => p.name)).toEqual(["prepare", "baseline", "evaluate", "finalize"]);
    expect(r.candidates).toHaveLength(16 * 9);
    expect(r.candidates.every((c) => c.blocks === 1 && c.n === 120)).toBe(true);
    expect(r.sets.selection).toEqual({ name: "validation", n: 120 });
    expect(r.chosen.candidate).toMatchObject({ matrix: "h.2.mlp_out.weight", blocks: 1 });
  });

  it("answers \"no edit\" with the baseline's numbers when nothing beats the unmodified model", async () => {
    const { service, sim } = setup({ model: { ...model, good: undefined } });
    const r = (await runToEnd(service, spec)).result as unknown as ResultDocument;
    expect(r.chosen).toEqual({ edit: false, candidate: null, selection: r.baseline.selection, test: r.baseline.test });
    expect(r.recipe.edits).toEqual([]);
    expect([...sim.runs.keys()].some((id) => id.includes("/finalize/"))).toBe(false);
  });

  it("publishes phases and progress with done/total, ETA and the best so far", async () => {
    const { service } = setup({ model, agents: 2 });
    const seen: { event: string; data: Record<string, unknown> }[] = [];
    const job = await service.submit(spec);
    const sub = service.watch(job.id, (event, data) => seen.push({ event, data }));
    await service.wait(job.id);
    sub.unsubscribe();
    const progress = seen.filter((e) => e.event === "progress" && e.data.phase === "evaluate");
    const last = progress.at(-1)!.data;
    expect(last.done).toBe(last.total);
    expect(last.etaMs).toBe(0);
    expect((last.best as { candidate: unknown }).candidate).toEqual({ matrix: "h.2.mlp_out.weight", blocks: 2, rate: 0.9 });
    expect(seen.filter((e) => e.event === "phase" && e.data.status === "finished").map((e) => e.data.phase)).toEqual(["prepare", "baseline", "score", "evaluate", "finalize"]);
    expect(seen.at(-1)).toEqual({ event: "state", data: { job: job.id, state: "succeeded" } });
  });

  it("resumes a job after the coordinator closes, reusing stored shards and running each shard once", async () => {
    const store = new MemoryJobStoreImpl();
    let started = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const first = setup({ model, agents: 2, onStart: async (s) => { if (s.shardId.includes("/evaluate/") && ++started > 6) await gate; } }, store);
    const job = await first.service.submit(spec);
    await new Promise<void>((resolve) => first.service.watch(job.id, (e, d) => { if (e === "progress" && d.phase === "evaluate" && d.done === 5) resolve(); }));
    await first.service.close();
    release();
    expect((await store.get(job.id))!.state).toBe("running");
    const stored = await store.shardResults(job.id);

    const second = setup({ model, agents: 2 }, store);
    expect(await second.service.resumeUnfinished()).toEqual([job.id]);
    const done = await second.service.wait(job.id);
    expect(done.state).toBe("succeeded");
    const r = done.result as unknown as ResultDocument;
    const evaluate = r.phases.find((p) => p.name === "evaluate")!;
    expect(evaluate.reused).toBeGreaterThanOrEqual(5);
    expect([...second.sim.runs.keys()].filter((id) => stored.has(id))).toEqual([]);
    expect(second.sim.runs.has(`${job.id}/prepare/0`)).toBe(false);
    expect([...second.sim.runs.values()].every((n) => n === 1)).toBe(true);
    const fresh = await runToEnd(setup({ model, agents: 1 }).service, spec);
    expect(resultNumbers(r)).toEqual(resultNumbers(fresh.result as unknown as ResultDocument));
  });

  it("cancels a running job and stops dispatching its shards", async () => {
    let hit: () => void = () => {};
    const reached = new Promise<void>((r) => (hit = r));
    const { service, sim } = setup({ model, onStart: (s) => { if (s.kind === "score") hit(); } });
    const job = await service.submit(spec);
    await reached;
    const out = await service.cancel(job.id);
    expect(out.state).toBe("cancelled");
    expect([...sim.runs.keys()].some((id) => id.includes("/evaluate/"))).toBe(false);
  });

  it("fails the job with the shard's error when a shard fails", async () => {
    const { service } = setup({ model, failing: new Set(["job0/score/1"]) });
    const done = await runToEnd(service, spec);
    expect(done.state).toBe("failed");
    expect(done.error).toMatch(/SHARD_FAILED: simulated failure of job0\/score\/1/);
  });

  it("rejects an invalid spec at submission and reports unknown jobs", async () => {
    const { service } = setup({ model });
    await expect(service.submit({ model: "m", dataset: "d", settings: { topM: 0 } })).rejects.toThrow(/topM/);
    await expect(service.get("nope")).rejects.toThrow(/NOT_FOUND|not found/);
    expect(await service.list()).toEqual([]);
  });
});
