// The prepare shard: what the coordinator plans with (rows, protocol, candidate matrices, model fingerprint).
import type { PrepareResult, PrepareShard } from "../../common/shards.ts";
import { protocolName } from "../tasks/select.ts";
import type { JobState } from "./job-cache.ts";

export function runPrepare(shard: PrepareShard, job: JobState, timings: Record<string, number>): PrepareResult {
  const { model } = job.loaded;
  const t0 = performance.now();
  const modelFingerprint = job.loaded.fingerprint();
  timings.fingerprintMs = performance.now() - t0;
  return {
    kind: "prepare",
    shardId: shard.shardId,
    rows: job.dataset.rows.length,
    protocol: protocolName(job.dataset, model.config.causal),
    candidates: model.candidates.map((c) => ({ name: c.name, layer: c.layer, kind: c.kind, rows: c.rows, cols: c.cols })),
    modelFingerprint,
    modelType: model.config.modelType,
    timings,
  };
}
