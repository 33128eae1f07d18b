// Exact early stopping through the real coordinator and agents' executor on the demo: same chosen edit, stopped candidates marked.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { ShardExecutor } from "../../agent/work/executor.ts";
import { silentLogger } from "../../common/log.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { JobServiceImpl } from "../../coordinator/jobs/service.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import type { AgentInfo, AgentPool, ResultOf } from "../../coordinator/pool/types.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";

/** In-process agents: one ShardExecutor each, shards to the least busy; records every evaluate shard's early-stop target. */
class ExecutorPool implements AgentPool {
  readonly targets: (number | undefined)[] = [];
  private readonly busy: number[];
  constructor(private readonly executors: ShardExecutor[]) {
    this.busy = executors.map(() => 0);
  }
  async run<S extends Shard>(shard: S): Promise<ResultOf<S>> {
    if (shard.kind === "evaluate" && shard.shardId.includes("/evaluate/")) this.targets.push(shard.earlyStopTarget);
    const i = this.busy.indexOf(Math.min(...this.busy));
    this.busy[i]!++;
    try {
      return (await this.executors[i]!.run(shard)) as ShardResult as ResultOf<S>;
    } finally {
      this.busy[i]!--;
    }
  }
  agents(): AgentInfo[] {
    return this.executors.map((_, i) => ({ id: `a${i}`, address: "in-process", backend: "wasm", svd: "test", state: "idle", inFlight: this.busy[i]!, capacity: 1, cachedModels: [] }));
  }
  async close(): Promise<void> {
    for (const e of this.executors) await e.close();
  }
}

let root = "";
let demo: { model: string; dataset: string };
beforeAll(async () => {
  await selectBackend({ prefer: "wasm", blas: "off", logger: silentLogger() });
  root = mkdtempSync(join(tmpdir(), "c2i-earlystop-"));
  demo = writeDemo(join(root, "demo"));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

async function adapt(agents: number, earlyStop: boolean): Promise<{ doc: ResultDocument; targets: (number | undefined)[] }> {
  const svd = selectSvd({ prefer: "auto" });
  const pool = new ExecutorPool(Array.from({ length: agents }, () => new ShardExecutor({ svd })));
  const service = new JobServiceImpl({ store: new MemoryJobStoreImpl(), bus: new MemoryEventBusImpl(), pool });
  try {
    const settings = { rates: [0.2, 0.6, 0.9, 0.99], blockCounts: [1, 2], topM: 3, testSize: 40, evaluateShardSize: 4, earlyStop };
    const job = await service.submit({ model: demo.model, dataset: demo.dataset, strategy: "c2i", settings });
    const done = await service.wait(job.id);
    expect(done.state, done.error).toBe("succeeded");
    return { doc: done.result as unknown as ResultDocument, targets: pool.targets };
  } finally {
    await service.close();
    await pool.close();
  }
}

describe("--early-stop", () => {
  it("chooses the identical edit with the same numbers on 1 and 2 agents, marking stopped candidates in result.json", { timeout: 180_000 }, async () => {
    const full = await adapt(1, false);
    const one = await adapt(1, true);
    const two = await adapt(2, true);
    expect(full.doc.chosen.edit).toBe(true);
    expect(full.doc.candidates.some((c) => c.stoppedEarly)).toBe(false);
    expect(full.targets.every((t) => t === undefined)).toBe(true);
    for (const run of [one, two]) {
      expect(run.doc.chosen).toEqual(full.doc.chosen);
      expect(run.doc.candidates.map((c) => [c.matrix, c.blocks, c.rate])).toEqual(full.doc.candidates.map((c) => [c.matrix, c.blocks, c.rate]));
      const stopped = run.doc.candidates.filter((c) => c.stoppedEarly);
      expect(stopped.length).toBeGreaterThan(0);
      run.doc.candidates.forEach((c, i) => {
        const f = full.doc.candidates[i]!;
        if (c.stoppedEarly) {
          // Stopped = could not reach the best so far: it had fewer correct than the chosen edit over the full set.
          expect(c.n).toBeLessThan(f.n);
          expect(f.correct).toBeLessThan(full.doc.chosen.selection.correct);
        } else {
          expect([c.correct, c.n, c.loss]).toEqual([f.correct, f.n, f.loss]);
        }
      });
      // The target starts at the baseline's correct count and rises to the best complete candidate so far.
      const base = full.doc.baseline.selection.correct;
      expect(run.targets.every((t) => t !== undefined && t >= base)).toBe(true);
    }
    expect(Math.max(...one.targets.map((t) => t!))).toBeGreaterThan(full.doc.baseline.selection.correct);
  });
});
