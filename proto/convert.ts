// Shards and results between common/shards.ts shapes and c2i.v1 wire messages, both directions.
// proto3 has no null in repeated fields and fills defaults, so optional fields are restored here.
import type { RecipeKSubspaces } from "../common/recipe.ts";
import type {
  Candidate, EditDetails, EvaluateResult, EvaluateShard, Evaluation, PrepareResult, PrepareShard, ScoreResult, ScoreShard,
  TaskOptions, WorkRef,
} from "../common/shards.ts";
import type { Candidate__Output } from "./gen/c2i/v1/Candidate.ts";
import type { EditDetails as EditDetailsMsg, EditDetails__Output } from "./gen/c2i/v1/EditDetails.ts";
import type { EvaluateResult as EvaluateResultMsg, EvaluateResult__Output } from "./gen/c2i/v1/EvaluateResult.ts";
import type { EvaluateShard as EvaluateShardMsg, EvaluateShard__Output } from "./gen/c2i/v1/EvaluateShard.ts";
import type { PrepareResult as PrepareResultMsg, PrepareResult__Output } from "./gen/c2i/v1/PrepareResult.ts";
import type { PrepareShard as PrepareShardMsg, PrepareShard__Output } from "./gen/c2i/v1/PrepareShard.ts";
import type { ScoreResult as ScoreResultMsg, ScoreResult__Output } from "./gen/c2i/v1/ScoreResult.ts";
import type { ScoreShard as ScoreShardMsg, ScoreShard__Output } from "./gen/c2i/v1/ScoreShard.ts";
import type { WorkRef as WorkRefMsg, WorkRef__Output } from "./gen/c2i/v1/WorkRef.ts";

function refToWire(ref: WorkRef): WorkRefMsg {
  return {
    jobId: ref.jobId,
    model: ref.model,
    dataset: ref.dataset,
    ...(ref.task ? { task: { ...ref.task } } : {}),
    ...(ref.factorization !== undefined ? { factorization: ref.factorization } : {}),
    ...(ref.clustering !== undefined ? { clustering: ref.clustering } : {}),
    ...(ref.calibration !== undefined ? { calibration: { name: ref.calibration.name, indices: ref.calibration.indices } } : {}),
    ...(ref.batching !== undefined ? { batching: { batchSize: ref.batching.batchSize, chunkSize: ref.batching.chunkSize } } : {}),
  };
}

function refFromWire(m: WorkRef__Output | null | undefined): WorkRef {
  const ref: WorkRef = { jobId: m?.jobId ?? "", model: m?.model ?? "", dataset: m?.dataset ?? "" };
  if (m?.task) {
    const task: TaskOptions = {};
    if (m.task.template !== undefined) task.template = m.task.template;
    if (m.task.lengthNormalise !== undefined) task.lengthNormalise = m.task.lengthNormalise;
    if (m.task.maxTokens !== undefined) task.maxTokens = m.task.maxTokens;
    ref.task = task;
  }
  if (m?.factorization !== undefined) ref.factorization = m.factorization;
  if (m?.clustering !== undefined) ref.clustering = m.clustering;
  if (m?.calibration) ref.calibration = { name: m.calibration.name, indices: m.calibration.indices };
  if (m?.batching) ref.batching = { batchSize: m.batching.batchSize, chunkSize: m.batching.chunkSize };
  return ref;
}

function detailsToWire(d: EditDetails): EditDetailsMsg {
  return {
    rowScale: d.rowScale ?? [], colScale: d.colScale ?? [],
    ...(d.kSubspaces ? { kSubspaces: { ...d.kSubspaces } } : {}),
  };
}

function detailsFromWire(m: EditDetails__Output): EditDetails {
  const d: EditDetails = {};
  if (m.rowScale.length > 0) d.rowScale = m.rowScale;
  if (m.colScale.length > 0) d.colScale = m.colScale;
  if (m.kSubspaces) {
    const k: RecipeKSubspaces = {};
    if (m.kSubspaces.rank !== undefined) k.rank = m.kSubspaces.rank;
    if (m.kSubspaces.maxIterations !== undefined) k.maxIterations = m.kSubspaces.maxIterations;
    if (m.kSubspaces.init === "blocks" || m.kSubspaces.init === "seeded") k.init = m.kSubspaces.init;
    if (m.kSubspaces.seed !== undefined) k.seed = m.kSubspaces.seed;
    d.kSubspaces = k;
  }
  return d;
}

function candidateFromWire(c: Candidate__Output | null | undefined): Candidate | null {
  return c ? { matrix: c.matrix, blocks: c.blocks, rate: c.rate } : null;
}

function timingsFromWire(t: Record<string, number> | undefined): Record<string, number> {
  return { ...(t ?? {}) };
}

export function prepareShardToWire(s: PrepareShard): PrepareShardMsg {
  return { shardId: s.shardId, ref: refToWire(s.ref) };
}

export function prepareShardFromWire(m: PrepareShard__Output): PrepareShard {
  return { kind: "prepare", shardId: m.shardId, ref: refFromWire(m.ref) };
}

export function scoreShardToWire(s: ScoreShard): ScoreShardMsg {
  return {
    shardId: s.shardId, ref: refToWire(s.ref), samples: { name: s.samples.name, indices: s.samples.indices },
    matrices: s.matrices, blockCounts: s.blockCounts, smallest: s.smallest,
  };
}

export function scoreShardFromWire(m: ScoreShard__Output): ScoreShard {
  return {
    kind: "score", shardId: m.shardId, ref: refFromWire(m.ref),
    samples: { name: m.samples?.name ?? "", indices: m.samples?.indices ?? [] },
    matrices: m.matrices, blockCounts: m.blockCounts, smallest: m.smallest,
  };
}

export function evaluateShardToWire(s: EvaluateShard): EvaluateShardMsg {
  return {
    shardId: s.shardId, ref: refToWire(s.ref), samples: { name: s.samples.name, indices: s.samples.indices },
    candidates: s.candidates.map((c) => (c ? { candidate: { ...c } } : {})),
    ...(s.earlyStopTarget !== undefined ? { earlyStopTarget: s.earlyStopTarget } : {}),
    ...(s.describeEdits !== undefined ? { describeEdits: s.describeEdits } : {}),
  };
}

export function evaluateShardFromWire(m: EvaluateShard__Output): EvaluateShard {
  const shard: EvaluateShard = {
    kind: "evaluate", shardId: m.shardId, ref: refFromWire(m.ref),
    samples: { name: m.samples?.name ?? "", indices: m.samples?.indices ?? [] },
    candidates: m.candidates.map((slot) => candidateFromWire(slot.candidate)),
  };
  if (m.earlyStopTarget !== undefined) shard.earlyStopTarget = m.earlyStopTarget;
  if (m.describeEdits !== undefined) shard.describeEdits = m.describeEdits;
  return shard;
}

export function prepareResultToWire(r: PrepareResult): PrepareResultMsg {
  return {
    shardId: r.shardId, rows: r.rows, protocol: r.protocol, candidates: r.candidates,
    modelFingerprint: r.modelFingerprint, modelType: r.modelType, timings: r.timings,
  };
}

export function prepareResultFromWire(m: PrepareResult__Output): PrepareResult {
  return {
    kind: "prepare", shardId: m.shardId, rows: m.rows, protocol: m.protocol,
    candidates: m.candidates.map((c) => ({ name: c.name, layer: c.layer, kind: c.kind, rows: c.rows, cols: c.cols })),
    modelFingerprint: m.modelFingerprint, modelType: m.modelType, timings: timingsFromWire(m.timings),
  };
}

export function scoreResultToWire(r: ScoreResult): ScoreResultMsg {
  return { shardId: r.shardId, loss: r.loss, scores: r.scores, timings: r.timings };
}

export function scoreResultFromWire(m: ScoreResult__Output): ScoreResult {
  return {
    kind: "score", shardId: m.shardId, loss: m.loss,
    scores: m.scores.map((s) => ({
      matrix: s.matrix, blocks: s.blocks, score: s.score,
      smallest: s.smallest.map((b) => ({ block: b.block, sigma: b.sigma, grad: b.grad })),
    })),
    timings: timingsFromWire(m.timings),
  };
}

export function evaluateResultToWire(r: EvaluateResult): EvaluateResultMsg {
  return {
    shardId: r.shardId,
    evaluations: r.evaluations.map((e) => ({
      ...(e.candidate ? { candidate: { ...e.candidate } } : {}),
      accuracy: e.accuracy, loss: e.loss, n: e.n, correct: e.correct,
      ...(e.stoppedEarly !== undefined ? { stoppedEarly: e.stoppedEarly } : {}),
      keptRanks: e.keptRanks ?? [],
      lossParts: e.lossParts ?? [],
      ...(e.details ? { details: detailsToWire(e.details) } : {}),
    })),
    timings: r.timings,
  };
}

export function evaluateResultFromWire(m: EvaluateResult__Output): EvaluateResult {
  return {
    kind: "evaluate", shardId: m.shardId,
    evaluations: m.evaluations.map((e) => {
      const out: Evaluation = { candidate: candidateFromWire(e.candidate), accuracy: e.accuracy, loss: e.loss, n: e.n, correct: e.correct };
      if (e.stoppedEarly !== undefined) out.stoppedEarly = e.stoppedEarly;
      if (e.keptRanks.length > 0) out.keptRanks = e.keptRanks;
      if (e.lossParts.length > 0) out.lossParts = e.lossParts;
      if (e.details) out.details = detailsFromWire(e.details);
      return out;
    }),
    timings: timingsFromWire(m.timings),
  };
}
