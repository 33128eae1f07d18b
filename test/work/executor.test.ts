// The ShardExecutor on the real engine and the generated demo model (cpu backend).
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShardExecutor } from "../../agent/work/executor.ts";
import type { EvaluateResult, PrepareResult, ScoreResult, WorkRef } from "../../common/shards.ts";
import { demoFixture, OTHER, PLANTED, type DemoFixture } from "./fixture.ts";

let fx: DemoFixture;
const samples = { name: "adapt", indices: Array.from({ length: 24 }, (_, i) => 3 * i) };
const ref = (jobId = "job-a"): WorkRef => ({ jobId, model: fx.model, dataset: fx.dataset });
const executor = (options: Partial<ConstructorParameters<typeof ShardExecutor>[0]> = {}) => new ShardExecutor({ svd: fx.svd, chunkSize: 8, ...options });
const strip = <T extends { timings: unknown }>(r: T) => ({ ...r, timings: undefined });

beforeAll(async () => {
  fx = await demoFixture();
});
afterAll(() => fx?.cleanup());

describe("ShardExecutor", () => {
  it("prepares: rows, protocol, the candidate matrices and the model fingerprint", async () => {
    const ex = executor();
    const r = (await ex.run({ kind: "prepare", shardId: "p", ref: ref() })) as PrepareResult;
    await ex.close();
    expect(r.rows).toBe(1344);
    expect(r.protocol).toBe("generative");
    expect(r.modelType).toBe("llama");
    expect(r.candidates).toHaveLength(14);
    expect(r.candidates.find((c) => c.name === PLANTED)).toMatchObject({ layer: 0, rows: 64, cols: 32 });
    expect(r.modelFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("evaluates candidates temporarily: the baseline is the same before and after an edit", async () => {
    const ex = executor();
    const r = (await ex.run({
      kind: "evaluate",
      shardId: "e",
      ref: ref(),
      samples,
      candidates: [null, { matrix: PLANTED, blocks: 1, rate: 0.2 }, { matrix: PLANTED, blocks: 1, rate: 0.6 }, null],
    })) as EvaluateResult;
    await ex.close();
    const [before, good, bad, after] = r.evaluations;
    expect(after).toEqual(before);
    expect(good!.keptRanks).toEqual([25]);
    expect(good!.accuracy).toBe(1);
    expect(good!.accuracy).toBeGreaterThan(before!.accuracy);
    expect(bad!.accuracy).toBeLessThan(before!.accuracy);
    expect(before!.n).toBe(24);
    expect(Number.isFinite(before!.loss) && before!.loss > 0).toBe(true);
  });

  it("gives the same numbers whatever the order and grouping of shards", async () => {
    const c1 = { matrix: PLANTED, blocks: 2, rate: 0.4 };
    const c2 = { matrix: OTHER, blocks: 1, rate: 0.9 };
    const a = executor();
    const scoreA = (await a.run({ kind: "score", shardId: "s", ref: ref(), samples, matrices: [PLANTED, OTHER], blockCounts: [1, 2], smallest: 5 })) as ScoreResult;
    const evalA = (await a.run({ kind: "evaluate", shardId: "e", ref: ref(), samples, candidates: [c1, c2] })) as EvaluateResult;
    await a.close();
    const b = executor({ chunkSize: 8 });
    const e2 = (await b.run({ kind: "evaluate", shardId: "e2", ref: ref(), samples, candidates: [c2] })) as EvaluateResult;
    const s2 = (await b.run({ kind: "score", shardId: "s2", ref: ref(), samples, matrices: [OTHER], blockCounts: [2, 1], smallest: 5 })) as ScoreResult;
    const s1 = (await b.run({ kind: "score", shardId: "s1", ref: ref(), samples, matrices: [PLANTED], blockCounts: [1, 2], smallest: 5 })) as ScoreResult;
    const e1 = (await b.run({ kind: "evaluate", shardId: "e1", ref: ref(), samples, candidates: [c1] })) as EvaluateResult;
    await b.close();
    expect(e1.evaluations[0]).toEqual(evalA.evaluations[0]);
    expect(e2.evaluations[0]).toEqual(evalA.evaluations[1]);
    const key = (s: { matrix: string; blocks: number }) => `${s.matrix}|${s.blocks}`;
    const byKey = new Map(scoreA.scores.map((s) => [key(s), s]));
    for (const s of [...s1.scores, ...s2.scores]) expect(s).toEqual(byKey.get(key(s)));
    expect(s1.loss).toBe(scoreA.loss);
    expect(s2.loss).toBe(scoreA.loss);
  });

  it("runs the gradient pass once per sample set and only for matrices not yet asked", async () => {
    const ex = executor();
    const first = (await ex.run({ kind: "score", shardId: "s1", ref: ref(), samples, matrices: [PLANTED], blockCounts: [1], smallest: 20 })) as ScoreResult;
    const again = (await ex.run({ kind: "score", shardId: "s2", ref: ref(), samples, matrices: [PLANTED], blockCounts: [1, 4], smallest: 20 })) as ScoreResult;
    const other = (await ex.run({ kind: "score", shardId: "s3", ref: ref(), samples, matrices: [OTHER], blockCounts: [1], smallest: 20 })) as ScoreResult;
    await ex.close();
    expect(first.timings.gradientMs).toBeGreaterThan(0);
    expect(again.timings.gradientMs).toBeUndefined();
    expect(other.timings.gradientMs).toBeGreaterThan(0);
    expect(again.scores[0]).toEqual(first.scores[0]);
    const s = first.scores[0]!;
    expect(s.smallest).toHaveLength(1);
    expect(s.smallest[0]!.sigma).toHaveLength(20);
    expect([...s.smallest[0]!.sigma].sort((x, y) => x - y)).toEqual(s.smallest[0]!.sigma);
    expect(s.score).toBeCloseTo(s.smallest[0]!.grad.reduce((acc, g) => acc + Math.max(-g, 0), 0), 12);
  });

  it("stops an evaluation early once the target is out of reach", async () => {
    const ex = executor();
    const r = (await ex.run({ kind: "evaluate", shardId: "e", ref: ref(), samples, candidates: [null], earlyStopTarget: 24 })) as EvaluateResult;
    await ex.close();
    expect(r.evaluations[0]!.stoppedEarly).toBe(true);
    expect(r.evaluations[0]!.n).toBeLessThan(24);
  });

  it("cancels between chunks with JOB_CANCELLED and restores the edited matrix", async () => {
    const ex = executor({ chunkSize: 4 });
    const base = (await ex.run({ kind: "evaluate", shardId: "b", ref: ref(), samples, candidates: [null] })) as EvaluateResult;
    const controller = new AbortController();
    const running = ex.run({ kind: "evaluate", shardId: "c", ref: ref(), samples, candidates: [{ matrix: PLANTED, blocks: 1, rate: 0.2 }] }, controller.signal);
    setImmediate(() => controller.abort());
    await expect(running).rejects.toMatchObject({ code: "JOB_CANCELLED" });
    const after = (await ex.run({ kind: "evaluate", shardId: "a", ref: ref(), samples, candidates: [null] })) as EvaluateResult;
    await ex.close();
    expect(after.evaluations).toEqual(base.evaluations);
  });

  it("leaks no tensors across repeated evaluate and score shards", async () => {
    const ex = executor();
    const shard = { kind: "evaluate" as const, shardId: "e", ref: ref(), samples, candidates: [null, { matrix: OTHER, blocks: 2, rate: 0.5 }] };
    await ex.run(shard);
    await ex.run({ kind: "score", shardId: "s", ref: ref(), samples, matrices: [OTHER], blockCounts: [2], smallest: 3 });
    const steady = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await ex.run(shard);
    await ex.run({ kind: "score", shardId: "s2", ref: ref(), samples: { name: "other", indices: [1, 2, 3] }, matrices: [OTHER], blockCounts: [2], smallest: 3 });
    expect(tf.memory().numTensors).toBe(steady);
    await ex.close();
  });

  it("drops a job's caches and frees the model's tensors (when no idle model is kept)", async () => {
    const before = tf.memory().numTensors;
    const ex = executor({ idleModels: 0 });
    await ex.run({ kind: "prepare", shardId: "p", ref: ref("job-x") });
    expect(ex.cachedJobs()).toEqual(["job-x"]);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    expect(ex.dropJob("job-x")).toBe(true);
    expect(ex.cachedModels()).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    await ex.close();
  });

  it("keeps at most maxJobs jobs, least recently used out, and drops idle ones", async () => {
    let now = 0;
    const ex = executor({ maxJobs: 2, jobIdleMs: 1000, now: () => now });
    for (const id of ["j1", "j2", "j3"]) await ex.run({ kind: "prepare", shardId: id, ref: ref(id) });
    expect(ex.cachedJobs()).toEqual(["j2", "j3"]);
    expect(ex.cachedModels()).toHaveLength(1);
    now = 5000;
    ex.sweepIdle();
    expect(ex.cachedJobs()).toEqual([]);
    // The model stays loaded for the next job on it (idleModels; test/work/shared-work.test.ts).
    expect(ex.cachedModels()).toHaveLength(1);
    expect(ex.sharedWorkStats()).toMatchObject({ models: 1, idleModels: 1 });
    await ex.close();
  });

  it("rejects bad shards with one clear error each", async () => {
    const ex = executor();
    await expect(ex.run({ kind: "evaluate", shardId: "e", ref: ref(), samples, candidates: [{ matrix: "nope", blocks: 1, rate: 0.5 }] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("nope") });
    await expect(ex.run({ kind: "evaluate", shardId: "e", ref: ref(), samples: { name: "x", indices: [0, 99999] }, candidates: [null] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("99999") });
    await expect(ex.run({ kind: "evaluate", shardId: "e", ref: ref(), samples, candidates: [{ matrix: PLANTED, blocks: 1, rate: 1 }] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(ex.run({ kind: "prepare", shardId: "p", ref: { ...ref(), dataset: `${fx.root}/missing.jsonl` } })).rejects.toMatchObject({ name: "C2iError" });
    await ex.close();
  });

  it("refuses repeated rows, unchecked calibration rows and empty or repeated matrix and block lists (INVALID_ARGUMENT, not a TypeError or minutes of work)", async () => {
    const ex = executor();
    const score = (extra: object) => ({ kind: "score" as const, shardId: "s", ref: ref(), samples, matrices: [PLANTED], blockCounts: [1], smallest: 2, ...extra });
    const refused: [string, Parameters<typeof ex.run>[0], string][] = [
      ["a repeated sample row", { kind: "evaluate", shardId: "e", ref: ref(), samples: { name: "x", indices: [0, ...Array(100_000).fill(1)] }, candidates: [null] }, "appears twice"],
      ["a calibration row outside the dataset", { ...score({}), ref: { ...ref(), factorization: "fwsvd", calibration: { name: "cal", indices: [0, 99999] } } }, "99999"],
      ["an empty calibration set", { kind: "evaluate", shardId: "e", ref: { ...ref(), factorization: "asvd", calibration: { name: "cal", indices: [] } }, samples, candidates: [null] }, "is empty"],
      ["no matrices", score({ matrices: [] }), "no matrices"],
      ["a repeated matrix", score({ matrices: [PLANTED, PLANTED] }), "twice"],
      ["a repeated block count", score({ blockCounts: [1, 1] }), "twice"],
    ];
    for (const [name, shard, message] of refused) {
      await expect(ex.run(shard), name).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining(message) });
    }
    await ex.close();
  });
});
