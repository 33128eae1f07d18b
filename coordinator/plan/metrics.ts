// Accuracy and loss of one model on one sample set, merged across the shards that split the set.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { ExactSum } from "../../common/exact-sum.ts";
import type { Evaluation } from "../../common/shards.ts";

export interface SetMetrics {
  accuracy: number;
  /** Mean loss over the set's samples. */
  loss: number;
  correct: number;
  n: number;
}

/**
 * Merge one model's evaluations over disjoint sample shards, in shard order (so the float sums,
 * and hence the result, do not depend on which agent ran which shard or when).
 */
export function mergeEvaluations(parts: readonly Evaluation[], what: string): SetMetrics {
  if (parts.length === 0) throw new C2iError(ErrorCode.INTERNAL, `merge ${what}: no shard results to merge`);
  let n = 0;
  let correct = 0;
  const lossSum = new ExactSum();
  for (const p of parts) {
    if (p.stoppedEarly) {
      throw new C2iError(ErrorCode.INTERNAL, `merge ${what}: a shard stopped early, its numbers cover only part of the set`);
    }
    n += p.n;
    correct += p.correct;
    // Exact partials make the loss independent of the sharding; an older agent's mean only approximates its sum.
    if (p.lossParts) lossSum.addParts(p.lossParts);
    else lossSum.add(p.loss * p.n);
  }
  if (n === 0) throw new C2iError(ErrorCode.DATASET_INVALID, `merge ${what}: the set has no samples`);
  return { accuracy: correct / n, loss: lossSum.value() / n, correct, n };
}

export function metricsOf(e: Evaluation): SetMetrics {
  return { accuracy: e.accuracy, loss: e.loss, correct: e.correct, n: e.n };
}
