// The wire contract: committed generated types are current, and shards/results survive the wire unchanged.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { fitMemoryBudget } from "../../common/memory-plan.ts";
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import type { EvaluateResult, EvaluateShard, PrepareResult, PrepareShard, ScoreResult, ScoreShard } from "../../common/shards.ts";
import * as convert from "../../proto/convert.ts";
import { loadAgentProto, loadCoordinatorProto } from "../../proto/load.ts";
import { memoryReportFromWire, memoryReportToWire } from "../../proto/memory-report.ts";
import { fromServiceError, toServiceError } from "../../proto/status.ts";

const ROOT = join(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe("proto/gen", () => {
  it("matches what scripts/gen-proto-types.sh generates from proto/c2i/v1 (rerun the script if this fails)", () => {
    const out = mkdtempSync(join(tmpdir(), "c2i-gen-"));
    try {
      execFileSync("bash", [join(ROOT, "scripts/gen-proto-types.sh"), out], { cwd: ROOT, stdio: "pipe" });
      const committed = join(ROOT, "proto/gen");
      const fresh = files(out).map((f) => relative(out, f)).sort();
      expect(files(committed).map((f) => relative(committed, f)).sort()).toEqual(fresh);
      for (const f of fresh) expect(readFileSync(join(committed, f), "utf8"), f).toBe(readFileSync(join(out, f), "utf8"));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("shards on the wire", () => {
  const service = loadAgentProto().c2i.v1.AgentService.service;
  function roundTrip<T>(method: keyof typeof service, request: boolean, msg: unknown): T {
    const def = service[method];
    const bytes = request ? def.requestSerialize(msg as never) : def.responseSerialize(msg as never);
    return (request ? def.requestDeserialize(bytes) : def.responseDeserialize(bytes)) as T;
  }
  const ref = { jobId: "j-1", model: "models/tiny", dataset: "data/x.jsonl", task: { template: "Q: {q}", lengthNormalise: true }, factorization: "svd" };

  it("keeps a prepare shard and result", () => {
    const shard: PrepareShard = { kind: "prepare", shardId: "prepare", ref: { jobId: "j", model: "m", dataset: "d" } };
    expect(convert.prepareShardFromWire(roundTrip("Prepare", true, convert.prepareShardToWire(shard)))).toEqual(shard);
    const result: PrepareResult = {
      kind: "prepare", shardId: "prepare", rows: 1234, protocol: "choice", modelFingerprint: "ab12", modelType: "gpt2",
      candidates: [{ name: "h.0.mlp.c_fc.weight", layer: 0, kind: "mlp_in", rows: 64, cols: 16 }], timings: { load: 12.5 },
    };
    expect(convert.prepareResultFromWire(roundTrip("Prepare", false, convert.prepareResultToWire(result)))).toEqual(result);
  });

  it("keeps a score shard and result, including non-finite numbers", () => {
    const shard: ScoreShard = {
      kind: "score", shardId: "score:0", ref, samples: { name: "adapt", indices: [3, 1, 4, 1, 5] },
      matrices: ["a", "b"], blockCounts: [1, 2, 4], smallest: 20,
    };
    expect(convert.scoreShardFromWire(roundTrip("Score", true, convert.scoreShardToWire(shard)))).toEqual(shard);
    const result: ScoreResult = {
      kind: "score", shardId: "score:0", loss: 2.718281828459045, timings: { grad: 1, svd: 2 },
      scores: [{ matrix: "a", blocks: 2, score: Number.POSITIVE_INFINITY, smallest: [{ block: 0, sigma: [1e-12, 0.5], grad: [-0.25, Number.NaN] }] }],
    };
    expect(convert.scoreResultFromWire(roundTrip("Score", false, convert.scoreResultToWire(result)))).toEqual(result);
  });

  it("keeps the baseline (null) candidate and optional fields of an evaluate shard and result", () => {
    const shard: EvaluateShard = {
      kind: "evaluate", shardId: "evaluate:3", ref: { jobId: "j", model: "m", dataset: "d" }, samples: { name: "test", indices: [0, 9] },
      candidates: [null, { matrix: "a", blocks: 4, rate: 0.995 }], earlyStopTarget: 61,
    };
    expect(convert.evaluateShardFromWire(roundTrip("Evaluate", true, convert.evaluateShardToWire(shard)))).toEqual(shard);
    const { earlyStopTarget: _e, ...noTarget } = shard;
    expect(convert.evaluateShardFromWire(roundTrip("Evaluate", true, convert.evaluateShardToWire(noTarget)))).toEqual(noTarget);
    const result: EvaluateResult = {
      kind: "evaluate", shardId: "evaluate:3", timings: {},
      evaluations: [
        { candidate: null, accuracy: 0.5, loss: 1.25, n: 2, correct: 1 },
        { candidate: { matrix: "a", blocks: 4, rate: 0.995 }, accuracy: 1, loss: 0.1, n: 1, correct: 1, stoppedEarly: true, keptRanks: [1, 1, 1, 1] },
      ],
    };
    expect(convert.evaluateResultFromWire(roundTrip("Evaluate", false, convert.evaluateResultToWire(result)))).toEqual(result);
  });
});

describe("memory reports on the wire", () => {
  const info = loadAgentProto().c2i.v1.AgentService.service.Info;
  const listAgents = loadCoordinatorProto().c2i.v1.CoordinatorService.service.ListAgents;
  const plan = fitMemoryBudget({
    model: "hf:org/model", backend: "tensorflow", weightsOnHost: false, matrixDtypes: ["BF16", "F32"],
    hostWeightBytes: 0, backendWeightBytes: 4.5 * 2 ** 30, widenScratchBytes: 0, gradientSumBytes: 123_456_789,
    microBatch: { rows: 16, plannedRows: 5, tokens: 48 }, activationBytes: 2 ** 31 + 3, factorCacheBytes: 2 ** 30, layerCacheBytes: 2 ** 29,
    totalBytes: 4.5 * 2 ** 30 + 123_456_789 + 2 ** 31 + 3 + 2 ** 30 + 2 ** 29,
  }, 9 * 2 ** 30);
  const report: MemoryBudgetReport = { budgetBytes: 9 * 2 ** 30, plans: [plan, { ...plan, model: "/data/other", layerCacheBytes: 0 }] };

  it("keeps an agent's budget and plans in Info and in ListAgents, byte counts above 2^32 exact", () => {
    const reply = info.responseDeserialize(info.responseSerialize({ id: "a", ...memoryReportToWire(report) }));
    expect(memoryReportFromWire(reply)).toEqual(report);
    const listed = listAgents.responseDeserialize(listAgents.responseSerialize({ agents: [{ id: "a", ...memoryReportToWire(report) }] }));
    expect(memoryReportFromWire(listed.agents[0]!)).toEqual(report);
  });

  it("tells no budget (no report) from a budget with no model loaded", () => {
    const none = info.responseDeserialize(info.responseSerialize({ id: "a", ...memoryReportToWire(undefined) }));
    expect(none.memoryBudgetBytes).toBeUndefined();
    expect(memoryReportFromWire(none)).toBeUndefined();
    const empty = info.responseDeserialize(info.responseSerialize({ id: "a", ...memoryReportToWire({ budgetBytes: 2 ** 30, plans: [] }) }));
    expect(memoryReportFromWire(empty)).toEqual({ budgetBytes: 2 ** 30, plans: [] });
  });
});

describe("error mapping", () => {
  it("carries every C2iError code across a gRPC status and back", () => {
    for (const code of Object.values(ErrorCode)) {
      const back = fromServiceError(toServiceError(new C2iError(code, `because ${code}`)), "test");
      expect(back).toMatchObject({ code, message: `because ${code}` });
    }
  });

  it("cuts a status message to 1,000 characters, saying how many more there were (HTTP/2 refuses longer headers)", () => {
    const err = toServiceError(new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${"x".repeat(100_000)}: bad`));
    expect(err.details!.length).toBeLessThan(1_100);
    expect(err.details).toMatch(/^shard x+… \(99,\d{3} more characters\)$/);
    expect(toServiceError(new C2iError(ErrorCode.INVALID_ARGUMENT, "short")).details).toBe("short");
  });

  it("maps transport statuses without a c2i code to the nearest code", () => {
    expect(fromServiceError({ code: grpc.status.UNAVAILABLE, details: "connect ECONNREFUSED" }, "agent a1").code).toBe("AGENT_LOST");
    expect(fromServiceError({ code: grpc.status.DEADLINE_EXCEEDED, details: "Deadline exceeded" }, "agent a1").code).toBe("SHARD_FAILED");
    expect(fromServiceError(new Error("boom"), "x").code).toBe("INTERNAL");
  });
});
