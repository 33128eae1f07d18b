// Choosing the edit (Algorithm 1 step 6): accuracy, then loss, then a fixed order; "no edit" unless it beats the baseline.
import type { Candidate, Evaluation } from "../../common/shards.ts";
import type { SetMetrics } from "./metrics.ts";

/**
 * The fixed last tie-break, so equal numbers pick the same candidate on any number of agents:
 * fewer blocks first, then the gentler rate, then the matrix's position in the model's candidate list.
 */
export function candidateOrder(matrixOrder: ReadonlyMap<string, number>) {
  const pos = (m: string) => matrixOrder.get(m) ?? Number.MAX_SAFE_INTEGER;
  return (a: Candidate, b: Candidate): number =>
    a.blocks - b.blocks || a.rate - b.rate || pos(a.matrix) - pos(b.matrix) || (a.matrix < b.matrix ? -1 : a.matrix > b.matrix ? 1 : 0);
}

/** Negative when `a` is better: higher accuracy, then lower mean loss. */
export function compareMetrics(a: Pick<SetMetrics, "accuracy" | "loss">, b: Pick<SetMetrics, "accuracy" | "loss">): number {
  if (a.accuracy !== b.accuracy) return b.accuracy - a.accuracy;
  if (a.loss !== b.loss) return a.loss - b.loss;
  return 0;
}

export interface Selection {
  /** The best complete evaluation, or undefined when there were none. */
  best?: Evaluation & { candidate: Candidate };
  /** True when `best` is strictly better than the baseline: the edit is applied. */
  edit: boolean;
}

/** Pure: the best evaluated candidate and whether it beats the unmodified model on the same set. */
export function selectBest(evaluations: readonly Evaluation[], baseline: SetMetrics, matrixOrder: ReadonlyMap<string, number>): Selection {
  const byOrder = candidateOrder(matrixOrder);
  const complete = evaluations.filter((e): e is Evaluation & { candidate: Candidate } => e.candidate !== null && !e.stoppedEarly);
  const sorted = [...complete].sort((a, b) => compareMetrics(a, b) || byOrder(a.candidate, b.candidate));
  const best = sorted[0];
  if (!best) return { edit: false };
  return { best, edit: compareMetrics(best, baseline) < 0 };
}
