// The work that crosses from coordinator to agent: shards and their results, as plain data.
// The gRPC contract (proto/c2i/v1) carries exactly these shapes; no tensors ever cross.
import type { RecipeKSubspaces } from "./recipe.ts";

/** Which rows of the dataset a shard works on, as indices into the dataset's rows (file order). */
export interface SampleSelection {
  /** Human name of the set, for logs and caches: "adapt", "test", "validation", "all". */
  name: string;
  indices: number[];
}

/** Where an agent finds the model and the data; agents check paths against their allowed roots. */
export interface WorkRef {
  jobId: string;
  /** Local directory of a Hugging Face-style checkpoint, or `hf:<org>/<name>`. */
  model: string;
  /** Dataset reference, e.g. `path/to/file.jsonl` or `counterfact:/path`. */
  dataset: string;
  /** Task protocol options that change how samples are scored (see agent/tasks). */
  task?: TaskOptions;
  /** svd | fwsvd | asvd (agent/linalg/factorizations). @default "svd" */
  factorization?: string;
  /** Row grouping into K parts: blocks | ksubspaces. @default "blocks" */
  clustering?: string;
  /**
   * Samples the weighted factorizations take their statistics from (FWSVD: gradients, ASVD: matrix
   * inputs): the adaptation set. Score shards default to their own samples; evaluate shards need it.
   */
  calibration?: SampleSelection;
  /** How the agent cuts sample sets into steps and forward passes. @default DEFAULT_BATCHING */
  batching?: Batching;
}

/**
 * How a sample set is cut for computation. It is part of a job's arithmetic, not only of its speed: a sample's
 * logits are float32 sums whose rounding depends on the shape of the product that computed them (the rows of
 * a forward pass, with some OpenBLAS kernels), so every agent and every command computes a job with the same
 * batching, and sample shards hold whole chunks (README, "Results do not depend on the number of agents").
 */
export interface Batching {
  /**
   * Sequences (rows) per forward pass. A choice row is one packed sequence (its prompt once, its choices read from
   * it; agent/tasks/choice-encoding.ts), so this counts samples for every decoder task.
   */
  batchSize: number;
  /**
   * Samples per step of an evaluation or gradient pass, counted from the start of the sample set; batches are
   * packed within a chunk, and cancellation is checked between chunks.
   */
  chunkSize: number;
}

export const DEFAULT_BATCHING: Readonly<Batching> = Object.freeze({ batchSize: 16, chunkSize: 32 });

export interface TaskOptions {
  /** Override of the named dataset's prompt template. */
  template?: string;
  /** For choice tasks: compare length-normalised log-probs. @default false */
  lengthNormalise?: boolean;
  /** Longest input in tokens; longer prompts are cut from the left. @default model context */
  maxTokens?: number;
}

/** One low-rank edit: matrix × block count × reduction rate (fraction of rank removed). */
export interface Candidate {
  matrix: string;
  blocks: number;
  rate: number;
}

export interface ScoreShard {
  kind: "score";
  shardId: string;
  ref: WorkRef;
  samples: SampleSelection;
  matrices: string[];
  blockCounts: number[];
  /** How many of each block's smallest singular values enter the score. @default 20 */
  smallest: number;
}

export interface EvaluateShard {
  kind: "evaluate";
  shardId: string;
  ref: WorkRef;
  samples: SampleSelection;
  /** `null` evaluates the unmodified model (the baseline). */
  candidates: (Candidate | null)[];
  /** Stop a candidate once it can no longer reach this many correct answers. */
  earlyStopTarget?: number;
  /** Report each candidate's `EditDetails` (the recipe's inputs beyond the candidate). @default false */
  describeEdits?: boolean;
}

/** What a recipe needs, beyond the candidate, to reproduce an edit from the original weights alone. */
export interface EditDetails {
  /** FWSVD's row weights (D's diagonal). */
  rowScale?: number[];
  /** ASVD's column scales (S's diagonal). */
  colScale?: number[];
  /** K-subspaces settings the agent ran with (every default resolved). */
  kSubspaces?: RecipeKSubspaces;
}

/** Asks an agent what the coordinator needs to plan: dataset size and candidate matrices. */
export interface PrepareShard {
  kind: "prepare";
  shardId: string;
  ref: WorkRef;
}

export type Shard = PrepareShard | ScoreShard | EvaluateShard;

/** Every shard kind, e.g. for zero-initialising per-kind metric series. */
export const SHARD_KINDS = ["prepare", "score", "evaluate"] as const satisfies readonly Shard["kind"][];

/** NATS subject agents heartbeat on (agent/ announces, coordinator/ listens). */
export const AGENT_HEARTBEAT_SUBJECT = "c2i.agent.heartbeat";

export interface BlockSpectrum {
  block: number;
  /** The block's smallest singular values, ascending. */
  sigma: number[];
  /** ∂L/∂σ for the same singular values, same order. */
  grad: number[];
}

export interface MatrixScore {
  matrix: string;
  blocks: number;
  score: number;
  smallest: BlockSpectrum[];
}

export interface ScoreResult {
  kind: "score";
  shardId: string;
  /** Loss of the unmodified model on the shard's samples (same for every shard of a job). */
  loss: number;
  scores: MatrixScore[];
  timings: Record<string, number>;
}

export interface Evaluation {
  candidate: Candidate | null;
  accuracy: number;
  /** Mean of the evaluated samples' losses: the exact sum of `lossParts`, rounded once, over n. */
  loss: number;
  n: number;
  correct: number;
  /**
   * The samples' losses summed exactly, as float64 partials (common/exact-sum.ts): merging the shards of one set
   * adds these, so the set's loss does not depend on how it was sharded. Absent from agents older than this field.
   */
  lossParts?: number[];
  /** True when early stopping ended the evaluation: accuracy and loss cover only `n` samples. */
  stoppedEarly?: boolean;
  /** Kept ranks per block, for the recipe. */
  keptRanks?: number[];
  /** Present when the shard asked for `describeEdits` and the edit needs more than the candidate. */
  details?: EditDetails;
}

export interface EvaluateResult {
  kind: "evaluate";
  shardId: string;
  evaluations: Evaluation[];
  timings: Record<string, number>;
}

export interface CandidateMatrix {
  name: string;
  layer: number;
  /** Role from the architecture's table: q, k, v, qkv, o, mlp_in, mlp_gate, mlp_out. */
  kind: string;
  rows: number;
  cols: number;
}

export interface PrepareResult {
  kind: "prepare";
  shardId: string;
  /** Number of usable rows in the dataset (file order). */
  rows: number;
  /** Task protocol the dataset implies: "generative", "choice" or "masked". */
  protocol: string;
  candidates: CandidateMatrix[];
  /** sha256 over config.json and the tensors' headers+bytes: names the exact weights a recipe applies to. */
  modelFingerprint: string;
  modelType: string;
  timings: Record<string, number>;
}

export type ShardResult = PrepareResult | ScoreResult | EvaluateResult;
