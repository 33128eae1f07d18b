// One open safetensors file: header read once, tensors read at their offsets with readSync (no whole-file copies).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { isFloatDtype, widenStored, type StoredFloats } from "./dtype.ts";
import { headerLength, parseHeader, type StoredTensor } from "./header.ts";

/** safetensors is little-endian and tensors are read straight into typed arrays: the host must be too. */
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Half-precision tensors are converted through a scratch buffer of this many elements. */
const CHUNK_ELEMENTS = 1 << 20;

/** Fill `dest` from `fd` at `position`; a short read means the file shrank under us. */
export function readExactly(fd: number, file: string, dest: Uint8Array, position: number, what: string): void {
  let done = 0;
  while (done < dest.length) {
    const n = readSync(fd, dest, done, dest.length - done, position + done);
    if (n === 0) {
      throw new C2iError(
        ErrorCode.CHECKPOINT_CORRUPT,
        `${file}: ${what} ends ${dest.length - done} bytes early (file truncated while open?); re-download or re-export it`,
      );
    }
    done += n;
  }
}

export class SafetensorsFile {
  readonly tensors: ReadonlyMap<string, StoredTensor>;
  readonly metadata: Record<string, string>;
  readonly size: number;
  private fd: number | undefined;

  constructor(readonly path: string) {
    if (!LITTLE_ENDIAN_HOST) throw new C2iError(ErrorCode.INTERNAL, `cannot read ${path}: big-endian hosts are not supported`);
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      throw new C2iError(ErrorCode.NOT_FOUND, `cannot open checkpoint file ${path}: ${(e as Error).message}`, { cause: e });
    }
    try {
      this.size = fstatSync(fd).size;
      const prefix = new Uint8Array(Math.min(8, this.size));
      readExactly(fd, path, prefix, 0, "header length");
      const n = headerLength(path, prefix, this.size);
      const json = new Uint8Array(n);
      readExactly(fd, path, json, 8, "header");
      const header = parseHeader(path, json, this.size);
      this.tensors = new Map(header.tensors.map((t) => [t.name, t]));
      this.metadata = header.metadata;
      this.fd = fd;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  private handle(): number {
    if (this.fd === undefined) throw new C2iError(ErrorCode.INTERNAL, `${this.path} was read after close()`);
    return this.fd;
  }

  /** The stored bytes of a tensor, in `chunkBytes` pieces (for hashing and copying without holding it all). */
  *rawChunks(t: StoredTensor, chunkBytes = 4 << 20): Generator<Uint8Array> {
    const fd = this.handle();
    for (let at = t.begin; at < t.end; at += chunkBytes) {
      const buf = new Uint8Array(Math.min(chunkBytes, t.end - at));
      readExactly(fd, this.path, buf, at, `tensor "${t.name}"`);
      yield buf;
    }
  }

  /** A float tensor in its stored dtype (F16/BF16 as raw 16-bit words), read straight from its offsets. */
  readStored(t: StoredTensor): StoredFloats {
    const fd = this.handle();
    const where = `tensor "${t.name}"`;
    if (!isFloatDtype(t.dtype)) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${this.path}: ${where} is ${t.dtype}; only F32, F16 and BF16 tensors read as float32`);
    }
    const bytes = t.end - t.begin;
    const data = t.dtype === "F32" ? new Float32Array(bytes / 4) : new Uint16Array(bytes / 2);
    readExactly(fd, this.path, new Uint8Array(data.buffer), t.begin, where);
    return { dtype: t.dtype, data } as StoredFloats;
  }

  /** A float tensor as float32 (F16/BF16 converted exactly), read straight from its offsets. */
  readF32(t: StoredTensor): Float32Array {
    return widenStored(this.readStored(t));
  }

  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
