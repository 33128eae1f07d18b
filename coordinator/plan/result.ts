// The final result document (result.json): plain data built from a finished job's context, plus its recipe.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { makeRecipe, RECIPE_FACTORIZATIONS, scaleFieldOf, type Recipe, type RecipeEdit, type RecipeFactorization } from "../../common/recipe.ts";
import type { Candidate, EditDetails } from "../../common/shards.ts";
import { keptRanks } from "./candidates.ts";
import { need, type JobContext } from "./context.ts";
import type { SetMetrics } from "./metrics.ts";
import type { SearchSettings } from "./settings.ts";

export const RESULT_FORMAT = "c2i.result/1";

export interface PhaseTiming {
  name: string;
  /** Wall time of the phase in this run (a resumed phase counts only the time after the restart). */
  ms: number;
  shards: number;
  /** Shards whose results were already stored (a resumed job). */
  reused: number;
}

export interface AgentSummary {
  id: string;
  address: string;
  backend: string;
  svd: string;
}

export interface CandidateRow extends Candidate {
  layer: number;
  kind: string;
  accuracy: number;
  loss: number;
  correct: number;
  n: number;
  stoppedEarly: boolean;
  keptRanks?: number[];
}

export interface ScoreRow {
  matrix: string;
  layer: number;
  kind: string;
  blocks: number;
  score: number;
  rank: number;
}

export interface ResultDocument {
  format: typeof RESULT_FORMAT;
  job: string;
  strategy: string;
  model: { ref: string; fingerprint: string; type: string };
  dataset: { ref: string; rows: number; protocol: string };
  settings: SearchSettings;
  sets: { selection: { name: string; n: number }; test: { n: number }; adapt?: { n: number } };
  baseline: { selection: SetMetrics; test: SetMetrics };
  /** `edit: false` = "no edit": the chosen numbers are the baseline's. */
  chosen: { edit: boolean; candidate: Candidate | null; keptRanks?: number[]; selection: SetMetrics; test: SetMetrics };
  /** Loss of the unmodified model in the gradient pass (c2i strategies only). */
  gradientLoss?: number;
  scores: ScoreRow[];
  candidates: CandidateRow[];
  phases: PhaseTiming[];
  totalMs: number;
  agents: AgentSummary[];
  versions: Record<string, string>;
  /** Things the numbers depend on that the user should know, e.g. agents computing with different numerics. */
  warnings: string[];
  recipe: Recipe;
}

export interface RunFacts {
  phases: PhaseTiming[];
  totalMs: number;
  agents: AgentSummary[];
  versions: Record<string, string>;
}

function recipeFactorization(name: string | undefined): RecipeFactorization {
  const f = name ?? "svd";
  if (!RECIPE_FACTORIZATIONS.includes(f as RecipeFactorization)) throw new C2iError(ErrorCode.INTERNAL, `result: factorization "${f}" has no recipe form`);
  return f as RecipeFactorization;
}

/** The chosen candidate as a recipe edit, with the job's clustering and what apply needs to redo it without samples. */
export function recipeEdit(ctx: JobContext, c: Candidate, kept: number[], details: EditDetails | undefined): RecipeEdit {
  const factorization = recipeFactorization(ctx.spec.factorization);
  const clustering = ctx.spec.clustering === "ksubspaces" ? "ksubspaces" : "blocks";
  const edit: RecipeEdit = { matrix: c.matrix, blocks: c.blocks, rate: c.rate, keptRanks: kept, clustering };
  if (clustering === "ksubspaces") {
    if (!details?.kSubspaces) throw new C2iError(ErrorCode.INTERNAL, `result: the K-subspaces settings of ${c.matrix} were not reported by the finalize shard`);
    edit.kSubspaces = { ...details.kSubspaces };
  }
  const field = scaleFieldOf(factorization);
  if (field) {
    const scales = details?.[field];
    if (!scales) throw new C2iError(ErrorCode.INTERNAL, `result: the ${factorization} ${field} of ${c.matrix} was not reported by the finalize shard`);
    edit[field] = [...scales];
  }
  return edit;
}

export function buildResult(ctx: JobContext, facts: RunFacts): ResultDocument {
  const prepared = need(ctx, "prepared", "result");
  const chosen = need(ctx, "chosen", "result");
  const sets = need(ctx, "sets", "result");
  const info = new Map(prepared.candidates.map((m) => [m.name, m]));
  const where = (matrix: string) => {
    const m = info.get(matrix);
    if (!m) throw new C2iError(ErrorCode.INTERNAL, `result: matrix ${matrix} is not among the model's candidates`);
    return m;
  };
  const candidates: CandidateRow[] = need(ctx, "evaluations", "result").flatMap((e) => {
    if (!e.candidate) return [];
    const m = where(e.candidate.matrix);
    const row: CandidateRow = { ...e.candidate, layer: m.layer, kind: m.kind, accuracy: e.accuracy, loss: e.loss, correct: e.correct, n: e.n, stoppedEarly: e.stoppedEarly ?? false };
    if (e.keptRanks) row.keptRanks = e.keptRanks;
    return [row];
  });
  const scores: ScoreRow[] = (ctx.scores ?? []).map((s) => {
    const m = where(s.matrix);
    return { matrix: s.matrix, layer: m.layer, kind: m.kind, blocks: s.blocks, score: s.score, rank: s.rank };
  });
  const edits: RecipeEdit[] = [];
  let kept: number[] | undefined;
  if (chosen.candidate) {
    const c = chosen.candidate;
    const m = where(c.matrix);
    kept = chosen.keptRanks ?? keptRanks(m.rows, m.cols, c.blocks, c.rate);
    edits.push(recipeEdit(ctx, c, kept, chosen.details));
  }
  const doc: ResultDocument = {
    format: RESULT_FORMAT,
    job: ctx.jobId,
    strategy: ctx.spec.strategy,
    model: { ref: ctx.spec.model, fingerprint: prepared.modelFingerprint, type: prepared.modelType },
    dataset: { ref: ctx.spec.dataset, rows: prepared.rows, protocol: prepared.protocol },
    settings: ctx.spec.settings,
    sets: {
      selection: { name: sets.selection.name, n: sets.selection.indices.length },
      test: { n: sets.test.indices.length },
      ...(sets.adapt && sets.adapt !== sets.selection && ctx.scores ? { adapt: { n: sets.adapt.indices.length } } : {}),
    },
    baseline: need(ctx, "baseline", "result"),
    chosen: { edit: chosen.candidate !== null, candidate: chosen.candidate, ...(kept ? { keptRanks: kept } : {}), selection: chosen.selection, test: chosen.test },
    scores,
    candidates,
    phases: facts.phases,
    totalMs: facts.totalMs,
    agents: facts.agents,
    versions: facts.versions,
    warnings: numericsWarnings(facts.agents),
    recipe: makeRecipe(prepared.modelFingerprint, prepared.modelType, edits, recipeFactorization(ctx.spec.factorization)),
  };
  if (ctx.gradientLoss !== undefined) doc.gradientLoss = ctx.gradientLoss;
  return doc;
}

/**
 * A job's numbers are the same bits on every agent that computes like the others: the same tfjs backend, OpenBLAS
 * kernel family and SVD. Agents that differ round float32 sums (and the SVD's last bits) differently, so the
 * result would depend on which agent ran which shard: say so.
 */
export function numericsWarnings(agents: readonly AgentSummary[]): string[] {
  const kinds = new Map<string, string[]>();
  for (const a of agents) {
    const key = `${a.backend}, SVD ${a.svd}`;
    kinds.set(key, [...(kinds.get(key) ?? []), a.id]);
  }
  if (kinds.size <= 1) return [];
  const list = [...kinds].map(([k, ids]) => `${k} on ${ids.join(", ")}`).join("; ");
  return [`the agents compute with different numerics (${list}): float32 roundings differ between them, so these numbers depend on which agent ran which shard; run a job on agents of one kind to make it reproducible`];
}

/** The numbers of a result without run facts (timings, agents): equal for the same job on any number of agents. */
export function resultNumbers(doc: ResultDocument): Omit<ResultDocument, "job" | "phases" | "totalMs" | "agents"> {
  const { job: _job, phases: _phases, totalMs: _total, agents: _agents, ...numbers } = doc;
  return numbers;
}
