// Public checkpoint I/O API: open (single or sharded) safetensors checkpoints, read tensors as float32, write them back.
export type { Dtype } from "./dtype.ts";
export type { StoredDtype, StoredFloats } from "./dtype.ts";
import type { Dtype, StoredDtype, StoredFloats } from "./dtype.ts";

export interface TensorEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Absolute path of the file holding it. */
  file: string;
  /** Absolute byte offsets in that file, [begin, end). */
  begin: number;
  end: number;
}

/** A tensor of a non-float dtype (e.g. an I64 `position_ids` buffer): validated, listed, not read as float. */
export interface OtherTensorEntry {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  file: string;
  begin: number;
  end: number;
}

export interface Checkpoint {
  /** The directory or file that was opened. */
  readonly path: string;
  /** Float tensors (F32/F16/BF16), sorted by name. */
  names(): string[];
  has(name: string): boolean;
  /** Throws CHECKPOINT_MISSING_TENSOR for a name the checkpoint lacks. */
  entry(name: string): TensorEntry;
  /** The tensor as float32, read at its offsets (F16/BF16 converted exactly). */
  readF32(name: string): Float32Array;
  /** The tensor in its stored dtype (F16/BF16 as raw 16-bit words): weights kept as stored (agent/models/host-matrix.ts). */
  readStored(name: string): StoredFloats;
  /** `__metadata__` of the file (of the first shard, plus the index's `metadata`, when sharded). */
  metadata(): Record<string, string>;
  /** Tensors of non-float dtypes, sorted by name (most checkpoints have none). */
  others(): OtherTensorEntry[];
  /** The stored bytes of any tensor (float or other), in pieces: for hashing and copying. */
  rawChunks(name: string): Iterable<Uint8Array>;
  close(): void;
}

export { openCheckpoint, resolveCheckpointFiles } from "./checkpoint.ts";
export { writeSafetensors, writeCheckpoint, SINGLE_FILE, INDEX_FILE } from "./writer.ts";
export type { TensorToWrite, WriteCheckpointOptions } from "./writer.ts";
export { fingerprintCheckpoint } from "./fingerprint.ts";
