// openCheckpoint: a directory, a .safetensors file or an index file becomes one Checkpoint over all its shards.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { isFloatDtype, type StoredFloats } from "./dtype.ts";
import { SafetensorsFile } from "./file.ts";
import type { StoredTensor } from "./header.ts";
import { readShardIndex } from "./index-file.ts";
import type { Checkpoint, OtherTensorEntry, TensorEntry } from "./safetensors.ts";
import { INDEX_FILE, SINGLE_FILE } from "./writer.ts";

export interface CheckpointFiles {
  /** Directory holding the checkpoint (and its config.json, when any). */
  dir: string;
  /** The single file, or the index file of a sharded checkpoint. */
  file: string;
  sharded: boolean;
}

/** Which file a path names: a directory prefers model.safetensors, then the index, then its only *.safetensors. */
export function resolveCheckpointFiles(pathToDirOrFile: string): CheckpointFiles {
  const path = resolve(pathToDirOrFile);
  if (!existsSync(path)) throw new C2iError(ErrorCode.NOT_FOUND, `checkpoint ${path} does not exist`);
  if (statSync(path).isFile()) return { dir: dirname(path), file: path, sharded: path.endsWith(".index.json") };
  if (existsSync(join(path, SINGLE_FILE))) return { dir: path, file: join(path, SINGLE_FILE), sharded: false };
  if (existsSync(join(path, INDEX_FILE))) return { dir: path, file: join(path, INDEX_FILE), sharded: true };
  const found = readdirSync(path).filter((f) => f.endsWith(".safetensors"));
  if (found.length === 1) return { dir: path, file: join(path, found[0]!), sharded: false };
  throw new C2iError(
    ErrorCode.NOT_FOUND,
    `${path} has no ${SINGLE_FILE} or ${INDEX_FILE}${found.length > 1 ? ` (and ${found.length} other .safetensors files without an index)` : ""}; ` +
      `point --model at a Hugging Face checkpoint directory (convert llama2.c files with \`c2i convert llama2c\`)`,
  );
}

class CheckpointImpl implements Checkpoint {
  private readonly floats = new Map<string, { file: SafetensorsFile; t: StoredTensor }>();
  private readonly rest = new Map<string, { file: SafetensorsFile; t: StoredTensor }>();

  constructor(
    readonly path: string,
    private readonly files: SafetensorsFile[],
    private readonly meta: Record<string, string>,
    owner: Map<string, SafetensorsFile> | undefined,
  ) {
    for (const file of files) {
      for (const t of file.tensors.values()) {
        if (owner && owner.get(t.name) !== file) continue; // sharded: the index decides
        (isFloatDtype(t.dtype) ? this.floats : this.rest).set(t.name, { file, t });
      }
    }
  }

  names(): string[] {
    return [...this.floats.keys()].sort();
  }

  has(name: string): boolean {
    return this.floats.has(name);
  }

  private lookup(name: string): { file: SafetensorsFile; t: StoredTensor } {
    const found = this.floats.get(name) ?? this.rest.get(name);
    if (!found) {
      throw new C2iError(ErrorCode.CHECKPOINT_MISSING_TENSOR, `checkpoint ${this.path} has no tensor "${name}"; check the model type and the checkpoint's tensor names (\`c2i inspect\`)`);
    }
    return found;
  }

  entry(name: string): TensorEntry {
    const { file, t } = this.lookup(name);
    if (!isFloatDtype(t.dtype)) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${file.path}: tensor "${name}" is ${t.dtype}, not a float tensor`);
    }
    return { name, dtype: t.dtype, shape: [...t.shape], file: file.path, begin: t.begin, end: t.end };
  }

  readF32(name: string): Float32Array {
    const { file, t } = this.lookup(name);
    return file.readF32(t);
  }

  readStored(name: string): StoredFloats {
    const { file, t } = this.lookup(name);
    return file.readStored(t);
  }

  metadata(): Record<string, string> {
    return { ...this.meta };
  }

  others(): OtherTensorEntry[] {
    return [...this.rest.values()]
      .map(({ file, t }) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape], file: file.path, begin: t.begin, end: t.end }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  rawChunks(name: string): Iterable<Uint8Array> {
    const { file, t } = this.lookup(name);
    return file.rawChunks(t);
  }

  close(): void {
    for (const f of this.files) f.close();
  }
}

/** Open and validate a checkpoint; every header is read and checked now, tensors are read on demand. */
export function openCheckpoint(pathToDirOrFile: string): Checkpoint {
  const { dir, file, sharded } = resolveCheckpointFiles(pathToDirOrFile);
  if (!sharded) {
    const f = new SafetensorsFile(file);
    return new CheckpointImpl(pathToDirOrFile, [f], f.metadata, undefined);
  }
  const index = readShardIndex(file);
  const opened = new Map<string, SafetensorsFile>();
  try {
    for (const shard of new Set(index.weightMap.values())) {
      const shardPath = join(dir, shard);
      if (!existsSync(shardPath)) {
        throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file} points at shard ${shard}, which is missing from ${dir}; re-download the checkpoint`);
      }
      opened.set(shard, new SafetensorsFile(shardPath));
    }
    const owner = new Map<string, SafetensorsFile>();
    for (const [name, shard] of index.weightMap) {
      const f = opened.get(shard)!;
      if (!f.tensors.has(name)) {
        throw new C2iError(ErrorCode.CHECKPOINT_MISSING_TENSOR, `${file} says tensor "${name}" is in ${shard}, but that shard has no such tensor; re-download the checkpoint`);
      }
      owner.set(name, f);
    }
    const files = [...opened.values()];
    const meta = { ...(files[0]?.metadata ?? {}), ...index.metadata };
    return new CheckpointImpl(pathToDirOrFile, files, meta, owner);
  } catch (e) {
    for (const f of opened.values()) f.close();
    throw e;
  }
}
