// The phases of a plan as pure pairs: which shards to run given what is known, and what their results mean.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Candidate, EditDetails, EvaluateResult, EvaluateShard, Evaluation, PrepareResult, SampleSelection, ScoreResult, Shard, ShardResult, WorkRef } from "../../common/shards.ts";
import { exhaustiveCandidates, filterMatrices, gradientCandidates, rankScores, signedScore } from "./candidates.ts";
import { need, type JobContext } from "./context.ts";
import { mergeEvaluations, metricsOf } from "./metrics.ts";
import { selectBest } from "./select.ts";
import { planSets } from "./sets.ts";
import { chunk, isWeighted, shardId, splitSelection, workRef } from "./shards.ts";
import { Preselect } from "./settings.ts";
import { PhaseName } from "./strategies.ts";

export interface Phase {
  name: PhaseName;
  /** The phase's shards in a fixed order; may be empty (e.g. finalize with "no edit"). */
  shards(ctx: JobContext): Shard[];
  /** Fold the results (same order as `shards`) into the context. */
  merge(ctx: JobContext, results: readonly ShardResult[]): JobContext;
}

function expect<K extends ShardResult["kind"]>(r: ShardResult, kind: K): Extract<ShardResult, { kind: K }> {
  if (r.kind !== kind) throw new C2iError(ErrorCode.INTERNAL, `shard ${r.shardId}: expected a ${kind} result, got ${r.kind}`);
  return r as Extract<ShardResult, { kind: K }>;
}

/** One evaluation per shard for a single model run over sample shards, in shard order. */
function single(results: readonly ShardResult[], phase: string): Evaluation[] {
  return results.map((r) => {
    const e = expect(r, "evaluate").evaluations;
    if (e.length !== 1) throw new C2iError(ErrorCode.INTERNAL, `shard ${r.shardId} (${phase}): expected 1 evaluation, got ${e.length}`);
    return e[0]!;
  });
}

/** The samples weighted factorizations take their statistics from: the gradient pass's adaptation set. */
function calibrationOf(ctx: JobContext, phase: string): SampleSelection {
  const sets = need(ctx, "sets", phase);
  return sets.adapt ?? sets.selection;
}

/** The WorkRef of the job's baseline, score and evaluate shards (calibration attached for fwsvd/asvd). */
function refOf(ctx: JobContext, phase: string): WorkRef {
  return workRef(ctx.jobId, ctx.spec, calibrationOf(ctx, phase));
}

function evalShards(ctx: JobContext, phase: string, candidate: Candidate | null): EvaluateShard[] {
  const sets = need(ctx, "sets", phase);
  const ref = refOf(ctx, phase);
  return splitSelection(sets.test, ctx.spec.settings.sampleShardSize).map((samples, i) => ({
    kind: "evaluate" as const,
    shardId: shardId(ctx.jobId, phase, i),
    ref,
    samples,
    candidates: [candidate],
  }));
}

const prepare: Phase = {
  name: PhaseName.prepare,
  shards: (ctx) => [{ kind: "prepare", shardId: shardId(ctx.jobId, "prepare", 0), ref: workRef(ctx.jobId, ctx.spec) }],
  merge(ctx, [r]) {
    const prepared: PrepareResult = expect(r!, "prepare");
    const matrices = filterMatrices(prepared.candidates, ctx.spec.settings);
    if (matrices.length === 0) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `no candidate matrix of ${ctx.spec.model} passes the layer/kind filter; widen --layers/--kinds`);
    }
    const matrixOrder = new Map(prepared.candidates.map((m, i) => [m.name, i]));
    return { ...ctx, prepared, matrices, matrixOrder, sets: planSets(prepared.rows, ctx.spec.settings) };
  },
};

/** Baseline: shard 0 is the selection set in one piece (compared exactly with candidates), then the test set's sample shards. */
const baseline: Phase = {
  name: PhaseName.baseline,
  shards(ctx) {
    const sets = need(ctx, "sets", "baseline");
    const first: EvaluateShard = { kind: "evaluate", shardId: shardId(ctx.jobId, "baseline", 0), ref: refOf(ctx, "baseline"), samples: sets.selection, candidates: [null] };
    const rest = evalShards(ctx, "baseline", null).map((s, i) => ({ ...s, shardId: shardId(ctx.jobId, "baseline", i + 1) }));
    return [first, ...rest];
  },
  merge(ctx, results) {
    const evals = single(results, "baseline");
    return { ...ctx, baseline: { selection: mergeEvaluations(evals.slice(0, 1), "baseline/selection"), test: mergeEvaluations(evals.slice(1), "baseline/test") } };
  },
};

const score: Phase = {
  name: PhaseName.score,
  shards(ctx) {
    const sets = need(ctx, "sets", "score");
    const adapt = sets.adapt ?? sets.selection;
    const { blockCounts, smallest, scoreShardSize } = ctx.spec.settings;
    return chunk(need(ctx, "matrices", "score").map((m) => m.name), scoreShardSize).map((matrices, i) => ({
      kind: "score" as const,
      shardId: shardId(ctx.jobId, "score", i),
      ref: refOf(ctx, "score"),
      samples: adapt,
      matrices,
      blockCounts,
      smallest,
    }));
  },
  merge(ctx, results) {
    const scored: ScoreResult[] = results.map((r) => expect(r, "score"));
    const sign = ctx.spec.settings.scoreSign;
    const scores = rankScores(scored.flatMap((r) => r.scores.map((m) => signedScore(m, sign))), need(ctx, "matrixOrder", "score"));
    return { ...ctx, scores, gradientLoss: scored[0]?.loss };
  },
};

function candidatesOf(ctx: JobContext): Candidate[] {
  const s = ctx.spec.settings;
  return s.preselect === Preselect.gradient
    ? gradientCandidates(need(ctx, "scores", "evaluate"), s)
    : exhaustiveCandidates(need(ctx, "matrices", "evaluate"), s);
}

/**
 * Evaluate shards: one factorization (matrix, K) per shard, its rates chunked by `size`, so an agent
 * computes each block SVD once per shard and the shards spread over agents whatever the grid.
 */
export function evaluateGroups(candidates: readonly Candidate[], size: number): Candidate[][] {
  const groups: Candidate[][] = [];
  for (const c of candidates) {
    const last = groups.at(-1);
    if (last && last[0]!.matrix === c.matrix && last[0]!.blocks === c.blocks) last.push(c);
    else groups.push([c]);
  }
  return groups.flatMap((g) => chunk(g, size));
}

const evaluate: Phase = {
  name: PhaseName.evaluate,
  shards(ctx) {
    const sets = need(ctx, "sets", "evaluate");
    const base = need(ctx, "baseline", "evaluate");
    const ref = refOf(ctx, "evaluate");
    return evaluateGroups(candidatesOf(ctx), ctx.spec.settings.evaluateShardSize).map((candidates, i) => {
      const shard: EvaluateShard = { kind: "evaluate", shardId: shardId(ctx.jobId, "evaluate", i), ref, samples: sets.selection, candidates };
      if (ctx.spec.settings.earlyStop) shard.earlyStopTarget = base.selection.correct;
      return shard;
    });
  },
  merge(ctx, results) {
    const evaluations = results.flatMap((r) => (expect(r, "evaluate") as EvaluateResult).evaluations);
    return { ...ctx, candidates: candidatesOf(ctx), evaluations };
  },
};

/** Jobs whose recipe needs more than the candidate: weighted factorizations and K-subspaces. */
export function needsDetails(spec: JobContext["spec"]): boolean {
  return isWeighted(spec) || (spec.clustering !== undefined && spec.clustering !== "blocks");
}

function detailsOf(results: readonly ShardResult[]): EditDetails {
  const e = results.length > 0 ? single(results.slice(0, 1), "finalize")[0]! : undefined;
  if (!e?.details) {
    throw new C2iError(ErrorCode.INTERNAL, `finalize: the agent did not report the chosen edit's details (scales / K-subspaces settings); is it older than the coordinator?`);
  }
  return e.details;
}

/** Finalize: the winner (if it beats the baseline on the selection set) on the test set; "no edit" needs no shard. */
const finalize: Phase = {
  name: PhaseName.finalize,
  shards(ctx) {
    const pick = selectBest(need(ctx, "evaluations", "finalize"), need(ctx, "baseline", "finalize").selection, need(ctx, "matrixOrder", "finalize"));
    if (!pick.edit || !pick.best) return [];
    // Shard 0 also reports what the recipe needs beyond the candidate (scales, K-subspaces settings).
    return evalShards(ctx, "finalize", pick.best.candidate).map((s, i) => (i === 0 && needsDetails(ctx.spec) ? { ...s, describeEdits: true } : s));
  },
  merge(ctx, results) {
    const base = need(ctx, "baseline", "finalize");
    const pick = selectBest(need(ctx, "evaluations", "finalize"), base.selection, need(ctx, "matrixOrder", "finalize"));
    if (!pick.edit || !pick.best) return { ...ctx, chosen: { candidate: null, selection: base.selection, test: base.test } };
    const best = pick.best;
    const chosen = {
      candidate: best.candidate,
      selection: metricsOf(best),
      test: mergeEvaluations(single(results, "finalize"), "finalize/test"),
      ...(best.keptRanks ? { keptRanks: best.keptRanks } : {}),
      ...(needsDetails(ctx.spec) ? { details: detailsOf(results) } : {}),
    };
    return { ...ctx, chosen };
  },
};

export const phases: Readonly<Record<PhaseName, Phase>> = { prepare, baseline, score, evaluate, finalize };
