// The score shard with weights in host memory factors each part's smallest triplets only and sums σ-gradients by
// projection (no ∂L/∂W): the same scores as the full-SVD ∂L/∂W path up to float32 rounding, for plain blocks and the
// weighted factorizations, on the demo model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { ShardExecutor } from "../../agent/work/executor.ts";
import type { EvaluateResult, ScoreResult, ScoreShard, WorkRef } from "../../common/shards.ts";
import { silentLogger } from "../../common/log.ts";
import { blasMissing } from "../blas/backends.ts";
import { demoFixture, OTHER, PLANTED, type DemoFixture } from "./fixture.ts";

let fx: DemoFixture;
const samples = { name: "adapt", indices: Array.from({ length: 24 }, (_, i) => 3 * i) };

beforeAll(async () => {
  fx = await demoFixture();
});
afterAll(() => fx?.cleanup());

async function score(blas: boolean, factorization: "svd" | "fwsvd" | "asvd"): Promise<ScoreResult> {
  await selectBackend({ prefer: "cpu", blas: blas ? "auto" : "off", logger: silentLogger() });
  if (!blas) unregisterBlasKernels("cpu");
  const ref: WorkRef = { jobId: `job-${factorization}-${blas}`, model: fx.model, dataset: fx.dataset, calibration: samples, factorization };
  const ex = new ShardExecutor({ svd: fx.svd, chunkSize: 8 });
  try {
    const shard: ScoreShard = { kind: "score", shardId: "s", ref, samples, matrices: [PLANTED, OTHER], blockCounts: [1, 2, 4], smallest: 5 };
    return (await ex.run(shard)) as ScoreResult;
  } finally {
    await ex.close();
  }
}

describe.skipIf(blasMissing !== undefined)("σ-gradients by projection in the score shard", () => {
  it.each(["svd", "fwsvd", "asvd"] as const)("%s: scores and σ-gradients equal the ∂L/∂W path's to float32 rounding", async (factorization) => {
    const projected = await score(true, factorization);
    const full = await score(false, factorization);
    expect(projected.timings.gradientMs).toBeGreaterThan(0);
    expect(projected.scores).toHaveLength(6);
    expect(Math.abs(projected.loss - full.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(full.loss));
    const scale = Math.max(...full.scores.flatMap((s) => s.smallest.flatMap((b) => b.grad.map(Math.abs))));
    expect(scale).toBeGreaterThan(0);
    full.scores.forEach((f, i) => {
      const p = projected.scores[i]!;
      expect([p.matrix, p.blocks]).toEqual([f.matrix, f.blocks]);
      expect(Math.abs(p.score - f.score)).toBeLessThanOrEqual(1e-5 * scale);
      f.smallest.forEach((b, j) => {
        // The projected score factors only each part's smallest triplets (agent/linalg/svd/smallest.ts: within a few ε·σ_max
        // of dgesdd's); FWSVD/ASVD's weights also come from statistics each path computes with its own kernels.
        const sigmaTolerance = factorization === "svd" ? 1e-12 : 1e-4;
        b.sigma.forEach((x, k) => expect(Math.abs(p.smallest[j]!.sigma[k]! - x)).toBeLessThanOrEqual(sigmaTolerance * Math.max(...b.sigma)));
        b.grad.forEach((g, k) => expect(Math.abs(p.smallest[j]!.grad[k]! - g)).toBeLessThanOrEqual(1e-5 * scale));
      });
    });
  });
});

describe.skipIf(blasMissing !== undefined)("partial factors stay out of truncations", () => {
  it("an evaluation after a projected score truncates full factors, equal to an executor that never scored", async () => {
    await selectBackend({ prefer: "cpu", blas: "auto", logger: silentLogger() });
    const ref: WorkRef = { jobId: "job-partial", model: fx.model, dataset: fx.dataset };
    const candidate = { matrix: PLANTED, blocks: 2, rate: 0.5 };
    const scored = new ShardExecutor({ svd: fx.svd, chunkSize: 8 });
    const fresh = new ShardExecutor({ svd: fx.svd, chunkSize: 8 });
    try {
      await scored.run({ kind: "score", shardId: "s", ref, samples, matrices: [PLANTED], blockCounts: [2], smallest: 5 });
      const after = (await scored.run({ kind: "evaluate", shardId: "e", ref, samples, candidates: [candidate] })) as EvaluateResult;
      const alone = (await fresh.run({ kind: "evaluate", shardId: "e", ref, samples, candidates: [candidate] })) as EvaluateResult;
      expect(after.evaluations).toEqual(alone.evaluations);
      expect(after.evaluations[0]!.keptRanks).toHaveLength(2);
    } finally {
      await scored.close();
      await fresh.close();
    }
  });
});
