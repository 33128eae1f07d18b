// Parse and strictly validate a safetensors header: every way a header can lie is a CHECKPOINT_CORRUPT naming file and tensor.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";
import { dtypeBytes, isStoredDtype, type StoredDtype } from "./dtype.ts";

/** The safetensors reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface StoredTensor {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  /** Absolute byte offsets in the file (header included), [begin, end). */
  begin: number;
  end: number;
}

export interface ParsedHeader {
  /** Tensors in file order (ascending offsets). */
  tensors: StoredTensor[];
  metadata: Record<string, string>;
  /** Absolute offset where the data buffer starts (8 + header length). */
  dataStart: number;
}

function corrupt(file: string, what: string): C2iError {
  return new C2iError(
    ErrorCode.CHECKPOINT_CORRUPT,
    `${file}: ${what}; the file is damaged or not a safetensors file — re-download or re-export it`,
  );
}

/** Header length from the first 8 bytes (u64 little-endian), checked against the file size. */
export function headerLength(file: string, prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || prefix.length < 8) throw corrupt(file, `file is ${fileSize} bytes, shorter than the 8-byte header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileSize - 8)) throw corrupt(file, `header length ${n} runs beyond the end of the file (${fileSize} bytes)`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw corrupt(file, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (n < 2n) throw corrupt(file, `header length ${n} is too small to hold a JSON object`);
  return Number(n);
}

function isSafeIndex(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Validate the JSON header bytes of `file` (whose total size is `fileSize`). Offsets must tile
 * the data buffer exactly: sorted, no gap, no overlap, ending at the end of the file.
 */
export function parseHeader(file: string, json: Uint8Array, fileSize: number): ParsedHeader {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(json);
  } catch {
    throw corrupt(file, "header is not valid UTF-8");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw corrupt(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw corrupt(file, "header is not a JSON object");
  const dataStart = 8 + json.length;
  const bufferLength = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: StoredTensor[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw corrupt(file, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string") throw corrupt(file, `__metadata__["${k}"] is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    tensors.push(parseEntry(file, name, value, dataStart, bufferLength));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = dataStart;
  for (const t of tensors) {
    if (t.begin < cursor) throw corrupt(file, `tensor "${t.name}" overlaps the tensor before it (starts at buffer byte ${t.begin - dataStart}, previous ends at ${cursor - dataStart})`);
    if (t.begin > cursor) throw corrupt(file, `gap of ${t.begin - cursor} unclaimed bytes before tensor "${t.name}" (buffer byte ${cursor - dataStart})`);
    cursor = t.end;
  }
  if (cursor !== fileSize) {
    const last = tensors.length ? `after tensor "${tensors[tensors.length - 1]!.name}"` : "with no tensors";
    throw corrupt(file, `data buffer has ${fileSize - cursor} trailing bytes ${last} (file truncated, padded or lying about offsets)`);
  }
  return { tensors, metadata, dataStart };
}

function parseEntry(file: string, name: string, value: unknown, dataStart: number, bufferLength: number): StoredTensor {
  const where = `tensor "${name}"`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw corrupt(file, `${where} is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isStoredDtype(dtype)) throw corrupt(file, `${where} has unknown dtype ${previewJson(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isSafeIndex)) throw corrupt(file, `${where} has an invalid shape ${previewJson(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeIndex)) {
    throw corrupt(file, `${where} has invalid data_offsets ${previewJson(offsets)}`);
  }
  const [b, e] = offsets as [number, number];
  if (b > e) throw corrupt(file, `${where} has data_offsets [${b}, ${e}] ending before they begin`);
  if (e > bufferLength) throw corrupt(file, `${where} has data_offsets [${b}, ${e}] beyond the ${bufferLength}-byte data buffer`);
  let elements = 1;
  for (const d of shape as number[]) elements *= d;
  const expected = elements * dtypeBytes(dtype);
  if (!Number.isSafeInteger(expected) || expected !== e - b) {
    throw corrupt(file, `${where} is ${dtype}[${(shape as number[]).join(",")}] = ${expected} bytes but data_offsets [${b}, ${e}] span ${e - b} bytes`);
  }
  return { name, dtype, shape: [...(shape as number[])], begin: dataStart + b, end: dataStart + e };
}
