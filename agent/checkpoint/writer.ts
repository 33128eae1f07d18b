// Write safetensors files (F32, F16 or BF16 per tensor) and whole checkpoints, single-file or sharded with an index.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { writeFileAtomic, writeTextAtomic } from "./atomic.ts";
import { encodeBF16, encodeF16, isFloatDtype, type Dtype } from "./dtype.ts";

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Stored element type; F16/BF16 round to nearest even. @default "F32" */
  dtype?: Dtype;
}

export interface WriteCheckpointOptions {
  /** Shard when the tensor bytes exceed this; each shard stays at or under it (a larger single tensor gets its own shard). @default 5_000_000_000 (Hugging Face's "5GB") */
  maxShardBytes?: number;
  /** Strings stored as `__metadata__` in every file. @default { format: "pt" } */
  metadata?: Record<string, string>;
}

export const SINGLE_FILE = "model.safetensors";
export const INDEX_FILE = "model.safetensors.index.json";
const ENCODE_CHUNK = 1 << 20;

function storedBytes(t: TensorToWrite): number {
  return t.data.length * ((t.dtype ?? "F32") === "F32" ? 4 : 2);
}

function checkTensors(file: string, tensors: readonly TensorToWrite[]): void {
  const seen = new Set<string>();
  for (const t of tensors) {
    const where = `${file}: tensor "${t.name}"`;
    if (t.name === "__metadata__" || t.name.length === 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${where}: reserved or empty name`);
    if (seen.has(t.name)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${where} appears twice`);
    seen.add(t.name);
    if (!isFloatDtype(t.dtype ?? "F32")) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${where}: dtype ${String(t.dtype)} is not F32, F16 or BF16`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${where}: invalid shape [${t.shape.join(",")}]`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${where}: shape [${t.shape.join(",")}] holds ${n} values but data has ${t.data.length}`);
    }
  }
}

/** The header bytes (JSON padded with spaces to a multiple of 8, as the reference writer does). */
function headerBytes(tensors: readonly TensorToWrite[], metadata: Record<string, string> | undefined): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const size = storedBytes(t);
    header[t.name] = { dtype: t.dtype ?? "F32", shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const bytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(8 + Math.ceil(bytes.length / 8) * 8).fill(0x20);
  new DataView(padded.buffer).setBigUint64(0, BigInt(padded.length - 8), true);
  padded.set(bytes, 8);
  return padded;
}

function writeData(t: TensorToWrite, write: (b: Uint8Array) => void): void {
  const dtype = t.dtype ?? "F32";
  if (dtype === "F32") {
    write(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return;
  }
  const scratch = new Uint16Array(Math.min(ENCODE_CHUNK, t.data.length));
  for (let i = 0; i < t.data.length; i += scratch.length) {
    const n = Math.min(scratch.length, t.data.length - i);
    const out = new Uint16Array(scratch.buffer, 0, n);
    (dtype === "F16" ? encodeF16 : encodeBF16)(t.data.subarray(i, i + n), out);
    write(new Uint8Array(scratch.buffer, 0, n * 2));
  }
}

/** Write one safetensors file atomically (temporary file, then rename). */
export function writeSafetensors(file: string, tensors: TensorToWrite[], metadata?: Record<string, string>): void {
  checkTensors(file, tensors);
  writeFileAtomic(file, (write) => {
    write(headerBytes(tensors, metadata));
    for (const t of tensors) writeData(t, write);
  });
}

/** Group tensors, in order, into shards of at most `max` bytes (a bigger tensor gets a shard of its own). */
export function planShards(tensors: readonly TensorToWrite[], max: number): TensorToWrite[][] {
  const shards: TensorToWrite[][] = [];
  let current: TensorToWrite[] = [];
  let size = 0;
  for (const t of tensors) {
    const b = storedBytes(t);
    if (current.length > 0 && size + b > max) {
      shards.push(current);
      current = [];
      size = 0;
    }
    current.push(t);
    size += b;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/**
 * Write a checkpoint directory: `model.safetensors`, or shards `model-0000i-of-0000n.safetensors`
 * plus `model.safetensors.index.json` (written last) when the tensors exceed `maxShardBytes`.
 * The other layout's stale files are removed so that readers never see a mix.
 */
export function writeCheckpoint(dir: string, tensors: TensorToWrite[], options: WriteCheckpointOptions = {}): void {
  const max = options.maxShardBytes ?? 5_000_000_000;
  const metadata = options.metadata ?? { format: "pt" };
  if (!(max > 0)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `maxShardBytes must be positive, got ${max}`);
  checkTensors(dir, tensors);
  mkdirSync(dir, { recursive: true });
  const shards = planShards(tensors, max);
  if (shards.length === 1) {
    writeSafetensors(join(dir, SINGLE_FILE), tensors, metadata);
    rmSync(join(dir, INDEX_FILE), { force: true });
    return;
  }
  const n = shards.length;
  const weightMap: Record<string, string> = {};
  let total = 0;
  shards.forEach((shard, i) => {
    const name = `model-${String(i + 1).padStart(5, "0")}-of-${String(n).padStart(5, "0")}.safetensors`;
    writeSafetensors(join(dir, name), shard, metadata);
    for (const t of shard) {
      weightMap[t.name] = name;
      total += storedBytes(t);
    }
  });
  writeTextAtomic(join(dir, INDEX_FILE), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + "\n");
  if (existsSync(join(dir, SINGLE_FILE))) rmSync(join(dir, SINGLE_FILE));
}
