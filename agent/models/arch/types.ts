// What each architecture file provides: its config reading, its tensor list, and its forward pieces.
import type * as tf from "@tensorflow/tfjs";
import type { RopeTables } from "../blocks/rope.ts";
import type { HostMatrix } from "../host-matrix.ts";
import type { ArchId } from "../candidates.ts";
import type { StoredLayout } from "../layout.ts";
import type { ModelConfig, TokenBatch } from "../types.ts";

/** One tensor the architecture reads from the checkpoint, with its stored shape and layout. */
export interface TensorSpec {
  name: string;
  shape: number[];
  layout: StoredLayout;
}

/** Per-batch tensors shared by all layers (made once per forward). */
export interface LayerContext {
  batch: number;
  length: number;
  /** Additive attention bias [B, 1, T, T]. */
  bias: tf.Tensor4D;
  rope?: RopeTables;
  /** Position id of every token, row-major [B, T] (learned position embeddings read these). */
  positions: Int32Array;
}

/**
 * A matrix as `linear` and `outputHead` take it (../blocks/linear.ts): a backend tensor in the engine layout
 * [in, out] (../layout.ts), or a matrix kept in host memory as the checkpoint stores it (../host-matrix.ts).
 */
export type MatrixWeight = tf.Tensor | HostMatrix;

/** A model's weights as the forward reads them. */
export interface Weights {
  /** A vector (bias, norm weight) on the backend; with resident weights, any tensor in the engine layout. */
  get(name: string): tf.Tensor;
  /** A matrix (or a table used as an output head) for `linear` / `outputHead`. */
  matrix(name: string): MatrixWeight;
  /** Rows `ids` of an embedding table, [ids.length, cols], on the backend. */
  rows(name: string, ids: tf.Tensor1D): tf.Tensor2D;
  /** A cached, non-trainable transpose of a resident tensor (e.g. a tied embedding used as the output head). */
  transposed(name: string): tf.Tensor;
}

/** The forward as embed → layer i → head; `head` sees only the rows whose logits are read. */
export interface ArchForward {
  embed(ids: tf.Tensor1D, ctx: LayerContext): tf.Tensor2D;
  layer(index: number, hidden: tf.Tensor2D, ctx: LayerContext): tf.Tensor2D;
  head(rows: tf.Tensor2D): tf.Tensor2D;
}

/** A parsed checkpoint of one architecture. */
export interface ArchInstance {
  config: ModelConfig;
  /** Prefix of tensor names in this checkpoint (e.g. "transformer."), prepended to the candidate table. */
  prefix: string;
  tensors: TensorSpec[];
  context(batch: TokenBatch): LayerContext;
  forward(weights: Weights): ArchForward;
}

export interface ArchDefinition {
  /** Key of this architecture in the candidate table (../candidates.ts). */
  id: ArchId;
  /** Hugging Face `model_type` values read by this definition. */
  modelTypes: readonly string[];
  /** Reads config.json; `names` are the checkpoint's tensor names (for prefixes and tied heads). */
  parse(raw: Record<string, unknown>, names: ReadonlySet<string>, source: string): ArchInstance;
}
