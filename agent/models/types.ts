// The seam between the transformer engine and everything that scores samples or edits weights.
import type * as tf from "@tensorflow/tfjs";

/** The matrix roles the method searches over; one table per architecture maps names to these. */
export const MatrixKind = {
  q: "q",
  k: "k",
  v: "v",
  /** fused q|k|v (GPT-2 c_attn, NeoX query_key_value) */
  qkv: "qkv",
  o: "o",
  mlpIn: "mlp_in",
  /** Llama's gate projection (SwiGLU) */
  mlpGate: "mlp_gate",
  mlpOut: "mlp_out",
} as const;
export type MatrixKind = (typeof MatrixKind)[keyof typeof MatrixKind];

/** A candidate matrix, named as in the checkpoint. Rows are *output* features (y = W x). */
export interface MatrixInfo {
  name: string;
  layer: number;
  kind: MatrixKind;
  rows: number;
  cols: number;
}

/**
 * Right-padded token ids, row-major [batch, length]; mask is 1 on real tokens, 0 on padding.
 *
 * A row may pack several sequences that share a prefix (a choice task's prompt and its choices, agent/tasks/choice.ts):
 * `segments` names each token's branch and `positionIds` its position in its own sequence. A token of segment
 * s > 0 sees the shared tokens (segment 0) and the tokens of its own segment; a shared token sees only shared
 * tokens (causally, in decoders). With the branches' positions continuing from the prefix's end, each branch
 * computes what it would alone after the prefix.
 */
export interface TokenBatch {
  ids: Int32Array;
  mask: Int32Array;
  batch: number;
  length: number;
  /** Position id of each token within its sequence, [batch, length]. @default its index t in the row */
  positionIds?: Int32Array;
  /** Branch of each token, [batch, length]: 0 = shared prefix, s > 0 = branch s. @default all 0 (one sequence per row) */
  segments?: Int32Array;
}

export interface ModelConfig {
  /** Hugging Face `model_type`, e.g. "gpt2", "llama", "gptj", "gpt_neox", "bert", "roberta". */
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  /** Causal decoders predict the next token; encoders fill masks. */
  causal: boolean;
  /** The untouched config.json, for writing the checkpoint back unchanged. */
  raw: Record<string, unknown>;
}

/**
 * A loaded model on the active tfjs backend. Weights live in tf.Variables owned by the model;
 * `dispose()` frees them. Every method that returns tensors must be called inside `tf.tidy` or
 * the caller disposes the result.
 */
export interface LanguageModel {
  readonly config: ModelConfig;
  /** Candidate matrices in a stable order (layer, then the architecture's table order). */
  readonly candidates: readonly MatrixInfo[];
  /** Bytes the checkpoint's weights hold on the backend (derived copies such as a transposed head not counted). */
  readonly weightBytes?: number;
  /** Matrices and embedding tables live in host memory (agent/models/host-matrix.ts), not on the backend. */
  readonly weightsOnHost?: boolean;
  /** Bytes the weights kept in host memory hold, in their stored dtypes. */
  readonly hostWeightBytes?: number;
  /**
   * Logits [positions.length, vocab] at flat positions (b * length + t) of the batch.
   * Only those rows go through the output head: the loss reads nothing else.
   * Differentiable with respect to the model's variables.
   */
  logitsAt(batch: TokenBatch, positions: Int32Array): tf.Tensor2D;
  /** Hidden states entering each layer (index 0 = embeddings) and the final one, for probing/caching. */
  hiddenStates?(batch: TokenBatch): tf.Tensor3D[];
  /**
   * Logits at `positions` computed from the hidden states entering layer `layer` ([B, T, hidden], as
   * `hiddenStates` returns them): runs layers layer…L−1 and the head only (caches of unedited layers).
   */
  logitsFromLayer?(batch: TokenBatch, layer: number, hidden: tf.Tensor3D, positions: Int32Array): tf.Tensor2D;
  /**
   * The inputs x of each named candidate matrix (y = W x) in one forward pass, [batch·length, cols] in
   * flat (b · length + t) order, padding rows included (mask them with `batch.mask`). For activation
   * statistics (ASVD). The caller disposes the returned tensors.
   */
  matrixInputs?(batch: TokenBatch, names: readonly string[]): Map<string, tf.Tensor2D>;
  /** A candidate matrix as float32, rows = output features, row-major. */
  readMatrix(name: string): Float32Array;
  /** Replace a candidate matrix (rows = output features) in place. */
  writeMatrix(name: string, data: Float32Array): void;
  /**
   * Value of `loss` and its gradient with respect to the named matrices only (rows = output
   * features). No gradient is computed or kept for anything else.
   */
  gradients(names: readonly string[], loss: () => tf.Scalar): { value: number; grads: Map<string, Float32Array> };
  /**
   * ∂L/∂W of the named matrices summed over several losses (micro-batches), kept on the device and read
   * once, instead of one download per loss. Optional: `sumGradients` (./gradient-sum.ts) falls back to
   * `gradients` per loss for models without it.
   */
  gradientSum?(names: readonly string[]): GradientSum;
  /**
   * Runs `loss`'s forward and backward pass and hands each named candidate's input x [N, in] and output gradient
   * dy [N, out] (N = batch · length, padding rows' dy zero) to `tap` during the backward pass; the tensors are
   * disposed after the call. Returns the loss value. What `gradientSum` and the σ-projection (./sigma-sum.ts) build on.
   */
  tappedBackward?(names: readonly string[], tap: (name: string, x: tf.Tensor2D, dy: tf.Tensor2D) => void, loss: () => tf.Scalar): number;
  /** Every tensor of the checkpoint as stored, or only `names` (for writing an adapted checkpoint: a 1B model as float32 is 4 GB). */
  stateDict(names?: readonly string[]): Map<string, { shape: number[]; data: Float32Array }>;
  dispose(): void;
}

/** ∂L/∂W of named candidate matrices summed over several losses, e.g. the micro-batches of one pass. */
export interface GradientSum {
  /** Runs the forward and backward pass of `loss`, adds its ∂loss/∂W to the sums, and returns its value. */
  add(loss: () => tf.Scalar): number;
  /** The sums so far, rows = output features; zeros for a matrix no loss depended on. */
  read(): Map<string, Float32Array>;
  /** Frees what the sums hold on the device. */
  dispose(): void;
}
