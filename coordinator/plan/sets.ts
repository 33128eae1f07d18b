// The sample sets of a job from its dataset size and settings (common/split.ts does the splitting).
import { seededPermutation } from "../../common/random.ts";
import { adaptTestSplit, laserSplit } from "../../common/split.ts";
import type { JobSets } from "./context.ts";
import { SelectionSet, type SearchSettings } from "./settings.ts";

/** A seeded subset of `indices` of at most `size`, ascending (the same seed picks the same rows everywhere). */
function seededSubset(indices: readonly number[], size: number | undefined, seed: number): number[] {
  if (size === undefined || size >= indices.length) return [...indices];
  return seededPermutation(indices.length, seed).slice(0, size).map((i) => indices[i]!).sort((a, b) => a - b);
}

/**
 * Selection "adapt" (Algorithm 1): S = seeded `adaptSize` rows, T = the rest (or a seeded `testSize` subset).
 * Selection "validation" (LASER): the first `validationFraction` of rows unshuffled, the rest is T; the
 * gradient pass of the "grads, std eval" ablation uses a seeded `adaptSize` subset of the validation rows.
 */
export function planSets(rows: number, s: SearchSettings): JobSets {
  if (s.selection === SelectionSet.adapt) {
    const { adapt, test } = adaptTestSplit(rows, { adaptSize: s.adaptSize, testSize: s.testSize, seed: s.seed });
    const selection = { name: "adapt", indices: adapt };
    return { selection, adapt: selection, test: { name: "test", indices: test } };
  }
  const { validation, test } = laserSplit(rows, { validationFraction: s.validationFraction });
  return {
    selection: { name: "validation", indices: validation },
    adapt: { name: "adapt", indices: seededSubset(validation, s.adaptSize, s.seed) },
    test: { name: "test", indices: seededSubset(test, s.testSize, s.seed) },
  };
}
