// The TaskProtocol seam: how a dataset row becomes token sequences, and how their log-probs become loss and correctness.
import type * as tf from "@tensorflow/tfjs";
import type { Tokenizer } from "../tokenizers/types.ts";
import type { DatasetRow } from "./dataset.ts";

export const ProtocolName = {
  generative: "generative",
  choice: "choice",
  masked: "masked",
} as const;
export type ProtocolName = (typeof ProtocolName)[keyof typeof ProtocolName];

/**
 * One input sequence and the reads the loss makes from it: target i is scored by the logits at `positions[i]`.
 * Several reads may share a position (a prompt's next-token log-probabilities of several single-token choices).
 */
export interface EncodedSequence {
  ids: number[];
  /** Position (index into `ids`) whose logits must predict `targets[i]`. */
  positions: number[];
  targets: number[];
  /**
   * A packed sequence (a shared prompt and branches after it, models/types.ts TokenBatch): each token's position
   * in its own sequence. @default 0, 1, 2, …
   */
  positionIds?: number[];
  /** A packed sequence's branch of each token (0 = shared). @default all 0 */
  segments?: number[];
}

/** One dataset row, encoded: a single sequence (generative, masked), or a choice row's sequences. */
export interface EncodedSample {
  sequences: EncodedSequence[];
  /** Index of the gold choice (choice); 0 otherwise. */
  label: number;
  /** Prompt tokens dropped from the left to fit `maxTokens`. */
  dropped: number;
  /**
   * Choice rows: the choice each read scores, read by read in layout order (sequence by sequence, target by
   * target); every choice has at least one read. Absent for answer rows.
   */
  choiceOf?: number[];
}

export interface EncodeContext {
  tokenizer: Tokenizer;
  /** Longest sequence in tokens; longer prompts lose tokens from the left. */
  maxTokens: number;
  /** `file:line` of the row, for messages. */
  where: string;
}

export interface SampleOutcome {
  loss: number;
  correct: boolean;
}

/**
 * Sample-level view of a batch as the protocol sees it: its samples in batch order, whose reads (targets)
 * lie one after another (sample, then sequence, then target) in the token log-prob vector.
 */
export interface ScoredSamples {
  samples: readonly EncodedSample[];
}

export interface TaskProtocol {
  readonly name: ProtocolName;
  /** The name and every option that changes the encoding (what encoded batches are cached under). */
  readonly encodingKey: string;
  encode(row: DatasetRow, context: EncodeContext): EncodedSample;
  /**
   * Loss and correctness of each sample, in order, from the log-prob of each target token and the
   * argmax token at each target position (host values, float64 arithmetic).
   */
  judge(batch: ScoredSamples, tokenLogProbs: ArrayLike<number>, argmax: ArrayLike<number>): SampleOutcome[];
  /** Differentiable `scale · Σ_samples loss`, from the target tokens' log-probs [targets]. */
  lossSum(batch: ScoredSamples, tokenLogProbs: tf.Tensor1D, scale: number): tf.Scalar;
}
