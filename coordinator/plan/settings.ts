// The search settings of one job: one typed object, every default from METHOD.md next to its meaning.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";
import { DEFAULT_BATCHING } from "../../common/shards.ts";

/** How candidate matrices are chosen before evaluation. */
export const Preselect = {
  /** Algorithm 1 steps 2–4: σ-gradient scores on the adaptation set, top-m per block count. */
  gradient: "gradient",
  /** LASER: every candidate matrix (after the layer/kind filter) at every rate. */
  exhaustive: "exhaustive",
} as const;
export type Preselect = (typeof Preselect)[keyof typeof Preselect];

/** Which samples candidates are evaluated (and the winner selected) on. */
export const SelectionSet = {
  /** The seeded 100-sample adaptation set (the paper's "100E"). */
  adapt: "adapt",
  /** LASER's validation split: the first `validationFraction` of rows, unshuffled ("std eval"). */
  validation: "validation",
} as const;
export type SelectionSet = (typeof SelectionSet)[keyof typeof SelectionSet];

/**
 * Which σ-gradients the matrix score sums over each block's smallest singular values. "positive" (METHOD.md's
 * default) sums max(∂L/∂σ, 0): to first order, shrinking σᵢ lowers the loss exactly when ∂L/∂σᵢ > 0 — the paper's
 * "negative gradient" read as the descent direction; on stories260K the predicted loss change of a truncation
 * correlates positively with the measured one (bench/evidence). "negative" sums max(−∂L/∂σ, 0), the literal
 * reading, kept as the ablation (README, "The σ-gradient sign").
 */
export const ScoreSign = { negative: "negative", positive: "positive" } as const;
export type ScoreSign = (typeof ScoreSign)[keyof typeof ScoreSign];

export interface SearchSettings {
  /** Samples in the adaptation set S (METHOD.md step 1). @default 100 */
  adaptSize: number;
  /** Cap on the held-out test set (a seeded subset of the rest); `undefined` keeps all. @default undefined */
  testSize?: number;
  /** Block counts K searched (METHOD.md step 3). @default [1, 2, 4, 8] (laser: [1]) */
  blockCounts: number[];
  /** Smallest singular values per block entering the score s. @default 20 */
  smallest: number;
  /** The sign of the σ-gradients the score sums (see ScoreSign). @default "positive" (METHOD.md) */
  scoreSign: ScoreSign;
  /** Matrices kept per block count, m. @default 5 */
  topM: number;
  /** Reduction rates ρ (fraction of rank removed): LASER's code's grid. @default [0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 0.995] */
  rates: number[];
  /** Seed of the adaptation/test split. @default 0 */
  seed: number;
  /** Only these layers are candidates; `undefined` = all. @default undefined */
  layers?: number[];
  /** Only these matrix kinds (q, k, v, qkv, o, mlp_in, mlp_gate, mlp_out); `undefined` = all. @default undefined */
  kinds?: string[];
  /** Candidate pre-selection. @default "gradient" (laser: "exhaustive") */
  preselect: Preselect;
  /** Where candidates are evaluated and the winner chosen. @default "adapt" (laser: "validation") */
  selection: SelectionSet;
  /** LASER's validation fraction: the first 20% of rows, unshuffled. @default 0.2 */
  validationFraction: number;
  /**
   * Matrices per score shard; each shard costs its agent one gradient pass over the adaptation set whatever its
   * size (with weights in host memory, the σ-gradients of its matrices only are projected). @default 8
   */
  scoreShardSize: number;
  /** Most candidates per evaluate shard; a shard holds one factorization (matrix, K) and its rates. @default 9 (the rate grid) */
  evaluateShardSize: number;
  /**
   * Samples per shard when a set is evaluated by one model (baseline and chosen on the test set); a multiple of
   * `chunkSize`, so a shard holds whole chunks and the numbers do not depend on how the set was sharded. @default 256
   */
  sampleShardSize: number;
  /** Sequences per forward pass on every agent (common/shards.ts Batching). @default 16 */
  batchSize: number;
  /** Samples per evaluation or gradient step on every agent, counted from the start of each set. @default 32 */
  chunkSize: number;
  /**
   * Let agents stop a candidate once it can no longer reach the most correct answers found so far on the
   * selection set (the baseline's at least; it cannot win then). The chosen edit is the same, but a stopped
   * candidate's numbers in result.json (`stoppedEarly`) cover fewer samples and depend on evaluation order
   * and agent count, hence off by default. @default false
   */
  earlyStop: boolean;
}

export const defaultSettings: Readonly<SearchSettings> = Object.freeze({
  adaptSize: 100,
  testSize: undefined,
  blockCounts: [1, 2, 4, 8],
  smallest: 20,
  scoreSign: ScoreSign.positive,
  topM: 5,
  rates: [0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 0.995],
  seed: 0,
  layers: undefined,
  kinds: undefined,
  preselect: Preselect.gradient,
  selection: SelectionSet.adapt,
  validationFraction: 0.2,
  scoreShardSize: 8,
  evaluateShardSize: 9,
  sampleShardSize: 256,
  batchSize: DEFAULT_BATCHING.batchSize,
  chunkSize: DEFAULT_BATCHING.chunkSize,
  earlyStop: false,
});

function bad(field: string, what: string, got: unknown): never {
  throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job settings: ${field} must be ${what}, got ${previewJson(got)}`);
}

/** Safe integers only: 2^53 + 2 is an integer to JavaScript but not the number that was sent. */
function int(v: unknown, field: string, min: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) bad(field, `an integer ≥ ${min}`, v);
  return v;
}

function intList(v: unknown, field: string, min: number): number[] {
  if (!Array.isArray(v) || v.length === 0) bad(field, "a non-empty list of integers", v);
  return [...new Set(v.map((x, i) => int(x, `${field}[${i}]`, min)))].sort((a, b) => a - b);
}

/**
 * Merge `input` over `base` and validate every field once; lists come back sorted and de-duplicated. `input` must be
 * an object of known settings: a misspelt one ("adaptsize") is refused rather than silently left at its default.
 */
export function resolveSettings(input: Partial<SearchSettings> = {}, base: Readonly<SearchSettings> = defaultSettings): SearchSettings {
  if (typeof input !== "object" || input === null || Array.isArray(input)) bad("settings", "an object", input);
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(defaultSettings, key)) bad(`settings.${key.slice(0, 60)}`, `one of the known settings (${Object.keys(defaultSettings).join(", ")})`, (input as Record<string, unknown>)[key]);
  }
  const s = { ...base, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) } as SearchSettings;
  const out: SearchSettings = {
    adaptSize: int(s.adaptSize, "adaptSize", 1),
    testSize: s.testSize === undefined ? undefined : int(s.testSize, "testSize", 1),
    blockCounts: intList(s.blockCounts, "blockCounts", 1),
    smallest: int(s.smallest, "smallest", 1),
    scoreSign: Object.values(ScoreSign).includes(s.scoreSign) ? s.scoreSign : bad("scoreSign", `one of ${Object.values(ScoreSign).join(", ")}`, s.scoreSign),
    topM: int(s.topM, "topM", 1),
    rates: (() => {
      if (!Array.isArray(s.rates) || s.rates.length === 0) bad("rates", "a non-empty list of numbers in [0, 1)", s.rates);
      for (const r of s.rates) if (typeof r !== "number" || !(r >= 0 && r < 1)) bad("rates", "numbers in [0, 1)", s.rates);
      return [...new Set(s.rates)].sort((a, b) => a - b);
    })(),
    seed: int(s.seed, "seed", 0),
    layers: s.layers === undefined ? undefined : intList(s.layers, "layers", 0),
    kinds: s.kinds === undefined ? undefined : (() => {
      if (!Array.isArray(s.kinds) || s.kinds.length === 0 || s.kinds.some((k) => typeof k !== "string")) bad("kinds", "a non-empty list of matrix kinds", s.kinds);
      return [...new Set(s.kinds)].sort();
    })(),
    preselect: Object.values(Preselect).includes(s.preselect) ? s.preselect : bad("preselect", `one of ${Object.values(Preselect).join(", ")}`, s.preselect),
    selection: Object.values(SelectionSet).includes(s.selection) ? s.selection : bad("selection", `one of ${Object.values(SelectionSet).join(", ")}`, s.selection),
    validationFraction: typeof s.validationFraction === "number" && s.validationFraction > 0 && s.validationFraction < 1
      ? s.validationFraction
      : bad("validationFraction", "a number in (0, 1)", s.validationFraction),
    scoreShardSize: int(s.scoreShardSize, "scoreShardSize", 1),
    evaluateShardSize: int(s.evaluateShardSize, "evaluateShardSize", 1),
    sampleShardSize: int(s.sampleShardSize, "sampleShardSize", 1),
    batchSize: int(s.batchSize, "batchSize", 1),
    chunkSize: int(s.chunkSize, "chunkSize", 1),
    earlyStop: typeof s.earlyStop === "boolean" ? s.earlyStop : bad("earlyStop", "true or false", s.earlyStop),
  };
  if (out.sampleShardSize % out.chunkSize !== 0) {
    bad("sampleShardSize", `a multiple of chunkSize (${out.chunkSize}), so that sample shards hold whole chunks`, s.sampleShardSize);
  }
  return out;
}
