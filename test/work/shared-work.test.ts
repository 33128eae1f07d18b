// Work jobs on one model share in an agent: the loaded model and its plain SVD factors, kept for the next job even
// when no job uses the model — never a job's data-dependent factors (FWSVD/ASVD) — with results unchanged.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShardExecutor, type ShardExecutorOptions } from "../../agent/work/executor.ts";
import type { ScoreResult, ScoreShard, WorkRef } from "../../common/shards.ts";
import { demoFixture, OTHER, PLANTED, type DemoFixture } from "./fixture.ts";

let fx: DemoFixture;
let other = "";
const adapt = Array.from({ length: 40 }, (_, i) => 3 * i);

beforeAll(async () => {
  fx = await demoFixture();
  // Another task of the same size: the demo's rows in reverse order, so the same indices are other rows.
  other = join(fx.root, "reversed.jsonl");
  writeFileSync(other, readFileSync(fx.dataset, "utf8").trim().split("\n").reverse().join("\n") + "\n");
});
afterAll(() => fx?.cleanup());

const executor = (options: Partial<ShardExecutorOptions> = {}) => new ShardExecutor({ svd: fx.svd, ...options });
const ref = (jobId: string, dataset: string, extra: Partial<WorkRef> = {}): WorkRef => ({ jobId, model: fx.model, dataset, ...extra });
const score = (r: WorkRef): ScoreShard => ({
  kind: "score", shardId: `${r.jobId}/score`, ref: r, samples: { name: "adapt", indices: adapt }, matrices: [PLANTED, OTHER], blockCounts: [1, 4], smallest: 8,
});
const scores = (r: ScoreResult) => r.scores.map((s) => [s.matrix, s.blocks, s.score, s.smallest]);

describe("shared work across jobs in an agent", () => {
  it("a second job on the model reuses its loaded weights and plain SVD factors, with the numbers it gets alone", async () => {
    const ex = executor();
    const alone = executor();
    try {
      await ex.run(score(ref("a", fx.dataset)));
      const first = ex.sharedWorkStats();
      expect(first).toMatchObject({ modelMisses: 1, modelHits: 0, factorHits: 0, factorMisses: 4, models: 1, idleModels: 0 });
      const second = (await ex.run(score(ref("b", other)))) as ScoreResult;
      expect(ex.sharedWorkStats()).toMatchObject({ modelMisses: 1, modelHits: 1, factorHits: 4, factorMisses: 4 });
      expect(scores(second)).toEqual(scores((await alone.run(score(ref("b", other)))) as ScoreResult));
    } finally {
      await ex.close();
      await alone.close();
    }
  });

  it("keeps a model no job uses for the next job, and frees the least recently used beyond idleModels", async () => {
    const ex = executor({ idleModels: 1 });
    try {
      await ex.run(score(ref("a", fx.dataset)));
      ex.dropJob("a");
      expect(ex.sharedWorkStats()).toMatchObject({ models: 1, idleModels: 1 });
      expect(ex.cachedModels()).toEqual([fx.model]);
      await ex.run(score(ref("b", fx.dataset)));
      expect(ex.sharedWorkStats()).toMatchObject({ modelHits: 1, factorHits: 4, idleModels: 0 });
    } finally {
      await ex.close();
    }
    const none = executor({ idleModels: 0 });
    try {
      await none.run(score(ref("a", fx.dataset)));
      none.dropJob("a");
      expect(none.sharedWorkStats()).toMatchObject({ models: 0, idleModels: 0 });
    } finally {
      await none.close();
    }
  });

  it("never shares FWSVD factors between jobs: the same sample indices of another dataset are other statistics", async () => {
    const calibration = { name: "adapt", indices: adapt };
    const ex = executor();
    const alone = executor();
    try {
      await ex.run(score(ref("a", fx.dataset, { factorization: "fwsvd", calibration })));
      const b = (await ex.run(score(ref("b", other, { factorization: "fwsvd", calibration })))) as ScoreResult;
      const reference = (await alone.run(score(ref("b", other, { factorization: "fwsvd", calibration })))) as ScoreResult;
      expect(scores(b)).toEqual(scores(reference));
    } finally {
      await ex.close();
      await alone.close();
    }
  });

  it("frees a dropped job's FWSVD factors (no other job can read them) while the model stays loaded", async () => {
    const calibration = { name: "adapt", indices: adapt };
    const ex = executor();
    try {
      await ex.run(score(ref("a", fx.dataset)));
      const plainBytes = ex.sharedWorkStats().factorBytes;
      await ex.run(score(ref("w", fx.dataset, { factorization: "fwsvd", calibration })));
      expect(ex.sharedWorkStats().factorBytes).toBeGreaterThan(plainBytes);
      expect(ex.dropJob("w")).toBe(true);
      expect(ex.sharedWorkStats()).toMatchObject({ models: 1, factorBytes: plainBytes });
    } finally {
      await ex.close();
    }
  });
});
