// Deterministic splits of a dataset's rows (METHOD.md "The search", step 1, and LASER's validation split).
// Pure: the coordinator plans with them and agents never re-derive them, so every agent count agrees.
import { C2iError, ErrorCode } from "./errors.ts";
import { seededPermutation } from "./random.ts";

export interface AdaptTestSplitOptions {
  /** Size of the adaptation set S (gradients and candidate evaluation). @default 100 */
  adaptSize?: number;
  /** Size of the held-out test set T: a seeded subset of the rest. @default all remaining rows */
  testSize?: number;
  /** Seed of the shuffle; the same (n, options) always gives the same split. */
  seed: number;
}

/** Row indices (into the dataset, file order), each list ascending. */
export interface AdaptTestSplit {
  adapt: number[];
  test: number[];
}

function checkCount(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${what} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * S = the first `adaptSize` rows of a seeded permutation, T = the next `testSize` (or all the rest).
 * S does not depend on `testSize`, and S and T never overlap. A dataset with no more than
 * `adaptSize` rows leaves no test set: that is an error, not a silent overlap.
 */
export function adaptTestSplit(n: number, options: AdaptTestSplitOptions): AdaptTestSplit {
  const adaptSize = options.adaptSize ?? 100;
  checkCount(n, "dataset size", 0);
  checkCount(adaptSize, "adaptSize", 1);
  if (n <= adaptSize) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `the dataset has ${n} rows, but the adaptation set takes ${adaptSize} and the test set needs at least one more: ` +
        `use a larger dataset or a smaller adaptation size`,
    );
  }
  const rest = n - adaptSize;
  const testSize = options.testSize ?? rest;
  checkCount(testSize, "testSize", 1);
  if (testSize > rest) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `testSize ${testSize} is more than the ${rest} rows left after the ${adaptSize}-row adaptation set (dataset has ${n})`,
    );
  }
  const order = seededPermutation(n, options.seed);
  const ascending = (a: number, b: number) => a - b;
  return {
    adapt: order.slice(0, adaptSize).sort(ascending),
    test: order.slice(adaptSize, adaptSize + testSize).sort(ascending),
  };
}

export interface LaserSplitOptions {
  /** Share of the rows, taken from the start of the file, used for validation. @default 0.2 */
  validationFraction?: number;
}

export interface LaserSplit {
  validation: number[];
  test: number[];
}

/**
 * LASER's code: the first ⌊fraction · n⌋ rows, unshuffled, are the validation split and the rest
 * is the test split. The floor is Python's int(fraction * n) on the same double, so counts match.
 */
export function laserSplit(n: number, options: LaserSplitOptions = {}): LaserSplit {
  const fraction = options.validationFraction ?? 0.2;
  checkCount(n, "dataset size", 0);
  if (!(fraction > 0 && fraction < 1)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `validationFraction must be in (0, 1), got ${fraction}`);
  }
  const cut = Math.trunc(fraction * n);
  if (cut < 1 || cut >= n) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `a ${n}-row dataset gives ${cut} validation rows at fraction ${fraction}: both the validation and the test split need at least one row`,
    );
  }
  return {
    validation: Array.from({ length: cut }, (_, i) => i),
    test: Array.from({ length: n - cut }, (_, i) => cut + i),
  };
}
