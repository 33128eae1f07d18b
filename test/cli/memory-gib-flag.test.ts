// `--memory-gib`: parsed and refused at the edge; `c2i adapt` states each local agent's memory plan before its first
// phase (stderr, and `memoryPlan` in --json) and refuses, exit 2 with the numbers, a plan that cannot fit; local
// agents report the plan they checked themselves.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDemo } from "../../agent/demo/write.ts";
import { planEngine, readMemoryPlan } from "../../agent/models/memory-plan.ts";
import { machineMemoryBytes, memoryBudget, parseMemoryGib } from "../../cli/command.ts";
import type { LocalMemoryPlan } from "../../cli/commands/local-memory.ts";
import { isC2iError } from "../../common/errors.ts";
import { fitMemoryBudget } from "../../common/memory-plan.ts";
import type { PrepareShard } from "../../common/shards.ts";
import { LocalAgentPoolImpl } from "../../coordinator/pool/local.ts";
import { blasMissing } from "../blas/backends.ts";
import { runC2i } from "../fixtures/processes.ts";

const GiB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), "c2i-memory-flag-"));
const cacheDir = join(dir, "cache");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(value: unknown): string {
  try {
    parseMemoryGib(value);
  } catch (e) {
    expect(isC2iError(e) && e.code).toBe("INVALID_ARGUMENT");
    return (e as Error).message;
  }
  throw new Error(`--memory-gib ${String(value)} was accepted`);
}

describe("--memory-gib", () => {
  it("turns GiB (fractions too) into bytes; absent means 80% of the machine's memory", () => {
    expect(parseMemoryGib(undefined)).toBeUndefined();
    expect(parseMemoryGib("12")).toBe(12 * GiB);
    expect(parseMemoryGib(" 0.5 ")).toBe(GiB / 2);
    expect(parseMemoryGib(".25")).toBe(GiB / 4);
    expect(memoryBudget(undefined, 16 * GiB)).toEqual({ bytes: Math.floor(0.8 * 16 * GiB), source: "80% of this machine's 16.00 GiB, the default of --memory-gib", given: false });
    expect(memoryBudget("0.001", 16 * GiB)).toEqual({ bytes: Math.floor(0.001 * GiB), source: "--memory-gib 0.001", given: true });
    // This machine's memory, or its container's limit when lower.
    expect(machineMemoryBytes()).toBeGreaterThan(0);
    expect(machineMemoryBytes()).toBeLessThanOrEqual(totalmem());
    expect(memoryBudget(undefined).bytes).toBe(Math.floor(0.8 * machineMemoryBytes()));
  });

  it("refuses zero, negative, non-numeric, empty and absurdly large values with a message naming the flag", () => {
    for (const bad of ["0", "-1", "abc", "", "1e3", "0x10", "1,5", "65537", "1e-12"]) {
      expect(refusal(bad)).toMatch(/^--memory-gib expects a number of GiB above 0 and at most 65536, e\.g\. 12 or 0\.5, got "/);
    }
  });

  it("makes `c2i adapt`, `c2i agent` and `c2i eval` exit 2 with one line before starting anything", async () => {
    const expected = '--memory-gib expects a number of GiB above 0 and at most 65536, e.g. 12 or 0.5, got "lots"';
    const runs = await Promise.all([
      runC2i(["adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cacheDir, "--memory-gib", "lots"]),
      runC2i(["agent", "--roots", dir, "--nats", "nats://127.0.0.1:1", "--memory-gib", "lots"]),
      runC2i(["eval", "--model", "demo", "--dataset", "demo", "--cache-dir", cacheDir, "--memory-gib", "lots"]),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(expected);
    }
  });

  it("is refused with --coordinator, whose agents each have their own (adapt and sweep), and checked by sweep", async () => {
    const [adapt, sweep, bad] = await Promise.all([
      runC2i(["adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cacheDir, "--coordinator", "127.0.0.1:1", "--memory-gib", "8"]),
      runC2i(["sweep", "--models", "demo", "--datasets", "demo", "--cache-dir", cacheDir, "--out", join(dir, "sweep"), "--coordinator", "127.0.0.1:1", "--memory-gib", "8"]),
      runC2i(["sweep", "--models", "demo", "--datasets", "demo", "--cache-dir", cacheDir, "--out", join(dir, "sweep"), "--memory-gib=-2"]),
    ]);
    for (const r of [adapt, sweep]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--memory-gib sets the local agents' memory budget; with --coordinator each agent has its own (`c2i agent --memory-gib N`)");
    }
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('c2i sweep: INVALID_ARGUMENT: --memory-gib expects a number of GiB above 0 and at most 65536, e.g. 12 or 0.5, got "-2"; the default is 80% of this machine\'s memory');
  });
});

describe("`c2i adapt` states the memory plan before the first phase", () => {
  const base = ["adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cacheDir, "--agents", "2"];

  it("refuses a plan beyond each agent's share, exit 2 with every part and the budget, before any phase", async () => {
    const r = await runC2i([...base, "--out", join(dir, "refused"), "--memory-gib", "0.001"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/prepare/);
    const line = r.stderr.trim().split("\n").at(-1)!;
    expect(line).toMatch(
      /^c2i adapt: INVALID_ARGUMENT: .*demo-v1\/model: the memory plan on \w+ needs [\d.]+ MiB before any layer cache \(host weights [\d.]+ KiB \(F32\), backend weights [\d.]+ KiB, widen scratch [\d.]+ \w?B, activations [\d.]+ MiB \(16 × 48 tokens\), SVD factor cache [\d.]+ \w*B\), beyond the 524\.3 KiB memory budget \(--memory-gib 0\.001, shared by 2 local agents\); raise the budget/,
    );
  }, 60_000);

  it("prints one line on stderr and `memoryPlan` in --json: each part as the plan of the model on the agents' engine", async () => {
    const args = [...base, "--out", join(dir, "out"), "--layers", "1", "--blocks", "1", "--rates", "0.2,0.9", "--top-m", "2", "--memory-gib", "4", "--json", "--no-checkpoint"];
    const r = await runC2i(args);
    expect(r.code, r.stderr).toBe(0);
    const { memoryPlan } = JSON.parse(r.stdout) as { memoryPlan: LocalMemoryPlan };
    expect(memoryPlan).toMatchObject({ agents: 2, budgetBytes: 4 * GiB, source: "--memory-gib 4" });
    const plan = memoryPlan.perAgent;
    expect(plan.budgetBytes).toBe(2 * GiB);
    const engine = planEngine(plan.backend, blasMissing === undefined);
    const expected = fitMemoryBudget(readMemoryPlan(ensureDemo(cacheDir).model, { engine, rows: 16, layerCacheBytes: 512 * 2 ** 20 }), 2 * GiB);
    expect(plan).toEqual(expected);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("c2i adapt: memory plan"));
    expect(lines).toEqual([
      `c2i adapt: memory plan per agent (2 local agents on ${plan.backend}, 4.00 GiB in all from --memory-gib 4): host weights 294.5 KiB (F32), backend weights 1.3 KiB, ` +
        `widen scratch 0 B, activations 26.5 MiB (16 × 48 tokens), SVD factor cache 2.0 MiB, layer cache 512.0 MiB; total 540.8 MiB of a 2.00 GiB budget`,
    ]);
    // Said before the first phase's progress.
    expect(r.stderr.indexOf("memory plan")).toBeLessThan(r.stderr.indexOf("prepare"));
  }, 90_000);
});

describe("a local agent with a memory budget", () => {
  it("checks the same plan when it loads the model and reports it; refuses a model beyond its budget naming each part", async () => {
    const demo = ensureDemo(cacheDir);
    const prepare = (jobId: string): PrepareShard => ({ kind: "prepare", shardId: `${jobId}-p`, ref: { jobId, model: demo.model, dataset: demo.dataset } });
    const pool = await LocalAgentPoolImpl.start({ agents: 1, mode: "worker", inheritStderr: false, agent: { logLevel: "silent", memoryBudgetBytes: GiB } });
    const tight = await LocalAgentPoolImpl.start({ agents: 1, mode: "worker", inheritStderr: false, agent: { logLevel: "silent", memoryBudgetBytes: 2 ** 20 } });
    try {
      await pool.run(prepare("fits"));
      const [agent] = await pool.describeAgents();
      const engine = planEngine(agent!.tfBackend!, agent!.blas);
      expect(agent!.memoryBudget).toEqual({ budgetBytes: GiB, plans: [fitMemoryBudget(readMemoryPlan(demo.model, { engine, rows: 16, layerCacheBytes: 512 * 2 ** 20 }), GiB)] });
      // The pool's view of the agent carries the same report.
      expect(pool.agents()[0]!.memoryBudget).toEqual(agent!.memoryBudget);
      await expect(tight.run(prepare("refused"))).rejects.toThrow(/memory plan on \w+ needs [\d.]+ MiB before any layer cache \(host weights .*\), beyond the 1\.0 MiB memory budget \(--memory-gib\)/);
      expect((await tight.describeAgents())[0]!.cachedModels).toEqual([]);
    } finally {
      await pool.close();
      await tight.close();
    }
  }, 60_000);
});
