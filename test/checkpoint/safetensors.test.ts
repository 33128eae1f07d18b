// Specification of the safetensors reader/writer: round trips, shards, dtypes, and one clear error per kind of damage.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { C2iError } from "../../common/errors.ts";
import {
  fingerprintCheckpoint,
  openCheckpoint,
  writeCheckpoint,
  writeSafetensors,
  type TensorToWrite,
} from "../../agent/checkpoint/safetensors.ts";
import { makeTempDir, rawSafetensors } from "./tmp.ts";

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.remove());

function ramp(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i - n / 2) * scale);
}

function expectError(fn: () => unknown, code: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an error").toBeInstanceOf(C2iError);
  expect((caught as C2iError).code).toBe(code);
  for (const f of fragments) expect((caught as C2iError).message).toContain(f);
}

describe("safetensors round trip", () => {
  it("reads back F32 tensors bit for bit with names, shapes and metadata", () => {
    const tensors: TensorToWrite[] = [
      { name: "b.weight", shape: [3, 4], data: ramp(12, 0.37) },
      { name: "a.bias", shape: [4], data: Float32Array.from([NaN, Infinity, -0, 1e-42]) },
      { name: "scalar", shape: [], data: Float32Array.from([7]) },
      { name: "empty", shape: [0, 5], data: new Float32Array(0) },
    ];
    const file = join(tmp.dir, "m.safetensors");
    writeSafetensors(file, tensors, { format: "pt", note: "hi" });
    const ckpt = openCheckpoint(file);
    try {
      expect(ckpt.names()).toEqual(["a.bias", "b.weight", "empty", "scalar"]);
      expect(ckpt.metadata()).toEqual({ format: "pt", note: "hi" });
      for (const t of tensors) {
        expect(ckpt.entry(t.name)).toMatchObject({ name: t.name, dtype: "F32", shape: t.shape });
        const got = ckpt.readF32(t.name);
        expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(t.data.buffer));
      }
    } finally {
      ckpt.close();
    }
  });

  it("writes F16 and BF16 and reads them back as the nearest float32 values", () => {
    const data = Float32Array.from([1, -2.5, 0.1, 65504, 1e-7, 3.14159]);
    const file = join(tmp.dir, "half.safetensors");
    writeSafetensors(file, [
      { name: "h", shape: [6], data, dtype: "F16" },
      { name: "b", shape: [2, 3], data, dtype: "BF16" },
    ]);
    const ckpt = openCheckpoint(file);
    try {
      expect(ckpt.entry("h").dtype).toBe("F16");
      expect(ckpt.entry("h").end - ckpt.entry("h").begin).toBe(12);
      const h = ckpt.readF32("h");
      const b = ckpt.readF32("b");
      for (let i = 0; i < data.length; i++) {
        expect(Math.abs(h[i]! - data[i]!)).toBeLessThanOrEqual(Math.max(Math.abs(data[i]!) * 2 ** -11, 2 ** -25));
        expect(Math.abs(b[i]! - data[i]!)).toBeLessThanOrEqual(Math.abs(data[i]!) * 2 ** -8);
      }
      expect(Array.from(h.subarray(0, 2))).toEqual([1, -2.5]);
      expect(h[3]).toBe(65504);
    } finally {
      ckpt.close();
    }
  });

  it("pads the header to 8 bytes with spaces, as the reference writer does", () => {
    const file = join(tmp.dir, "p.safetensors");
    writeSafetensors(file, [{ name: "x", shape: [1], data: Float32Array.from([1]) }]);
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"))).toEqual({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } });
  });

  it("lists non-float tensors apart and refuses to read them as float", () => {
    const file = join(tmp.dir, "i.safetensors");
    const data = new Uint8Array(8 * 3 + 4);
    writeFileSync(file, rawSafetensors({ ids: { dtype: "I64", shape: [3], data_offsets: [0, 24] }, w: { dtype: "F32", shape: [1], data_offsets: [24, 28] } }, data));
    const ckpt = openCheckpoint(file);
    try {
      expect(ckpt.names()).toEqual(["w"]);
      expect(ckpt.others()).toMatchObject([{ name: "ids", dtype: "I64", shape: [3] }]);
      expectError(() => ckpt.readF32("ids"), "INVALID_ARGUMENT", "ids", "I64");
    } finally {
      ckpt.close();
    }
  });
});

describe("checkpoint directories", () => {
  const tensors = (): TensorToWrite[] =>
    Array.from({ length: 5 }, (_, i) => ({ name: `layer.${i}.weight`, shape: [4, 8], data: ramp(32, i + 1) }));

  it("writes one model.safetensors when the tensors fit in a shard", () => {
    writeCheckpoint(tmp.dir, tensors());
    expect(readdirSync(tmp.dir)).toEqual(["model.safetensors"]);
    const ckpt = openCheckpoint(tmp.dir);
    expect(ckpt.names()).toHaveLength(5);
    ckpt.close();
  });

  it("shards with an index above maxShardBytes and reads every tensor from the right shard", () => {
    writeCheckpoint(tmp.dir, tensors(), { maxShardBytes: 300 }); // 128 bytes per tensor → 2 per shard
    const files = readdirSync(tmp.dir).sort();
    expect(files).toEqual([
      "model-00001-of-00003.safetensors",
      "model-00002-of-00003.safetensors",
      "model-00003-of-00003.safetensors",
      "model.safetensors.index.json",
    ]);
    const index = JSON.parse(readFileSync(join(tmp.dir, "model.safetensors.index.json"), "utf8"));
    expect(index.metadata.total_size).toBe(5 * 128);
    expect(index.weight_map["layer.4.weight"]).toBe("model-00003-of-00003.safetensors");
    const ckpt = openCheckpoint(tmp.dir);
    try {
      for (const t of tensors()) expect(ckpt.readF32(t.name)).toEqual(t.data);
      expect(ckpt.entry("layer.2.weight").file).toContain("model-00002-of-00003");
    } finally {
      ckpt.close();
    }
  });

  it("replaces a sharded checkpoint by a single file without leaving a stale index (and back)", () => {
    writeCheckpoint(tmp.dir, tensors(), { maxShardBytes: 300 });
    writeCheckpoint(tmp.dir, tensors());
    expect(existsSync(join(tmp.dir, "model.safetensors.index.json"))).toBe(false);
    writeCheckpoint(tmp.dir, tensors(), { maxShardBytes: 300 });
    expect(existsSync(join(tmp.dir, "model.safetensors"))).toBe(false);
  });

  it("fingerprints content, not layout: same weights sharded or not agree; one changed value differs", () => {
    writeFileSync(join(tmp.dir, "config.json"), '{"model_type":"llama"}');
    writeCheckpoint(tmp.dir, tensors());
    const single = fingerprintCheckpoint(tmp.dir);
    writeCheckpoint(tmp.dir, tensors(), { maxShardBytes: 300 });
    expect(fingerprintCheckpoint(tmp.dir)).toBe(single);
    const changed = tensors();
    changed[3]!.data[7] = 123;
    writeCheckpoint(tmp.dir, changed);
    expect(fingerprintCheckpoint(tmp.dir)).not.toBe(single);
    writeCheckpoint(tmp.dir, tensors());
    writeFileSync(join(tmp.dir, "config.json"), '{"model_type":"gpt2"}');
    expect(fingerprintCheckpoint(tmp.dir)).not.toBe(single);
  });

  it("leaves no temporary files behind and keeps the old file when a write fails", () => {
    writeCheckpoint(tmp.dir, tensors());
    const before = readFileSync(join(tmp.dir, "model.safetensors"));
    expectError(() => writeSafetensors(join(tmp.dir, "model.safetensors"), [{ name: "x", shape: [2, 2], data: new Float32Array(3) }]), "SHAPE_MISMATCH", '"x"');
    expect(readFileSync(join(tmp.dir, "model.safetensors"))).toEqual(before);
    expect(readdirSync(tmp.dir)).toEqual(["model.safetensors"]);
  });
});

describe("validation: each kind of damage is one clear CHECKPOINT_CORRUPT naming file and tensor", () => {
  const good = () => ({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } });
  const write = (bytes: Uint8Array) => {
    const file = join(tmp.dir, "bad.safetensors");
    writeFileSync(file, bytes);
    return file;
  };

  it("header length beyond the file", () => {
    const bytes = rawSafetensors(good(), new Uint8Array(12));
    new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    expectError(() => openCheckpoint(write(bytes)), "CHECKPOINT_CORRUPT", "bad.safetensors", "beyond the end of the file");
  });

  it("a file shorter than the length prefix", () => {
    expectError(() => openCheckpoint(write(new Uint8Array(5))), "CHECKPOINT_CORRUPT", "bad.safetensors", "shorter than");
  });

  it("bad JSON", () => {
    const bytes = rawSafetensors(good(), new Uint8Array(12));
    bytes[9] = "!".charCodeAt(0);
    expectError(() => openCheckpoint(write(bytes)), "CHECKPOINT_CORRUPT", "not valid JSON");
  });

  it("overlapping offsets", () => {
    const h = good();
    h.b.data_offsets = [4, 8];
    expectError(() => openCheckpoint(write(rawSafetensors(h, new Uint8Array(8)))), "CHECKPOINT_CORRUPT", '"b"', "overlaps");
  });

  it("a gap between tensors", () => {
    const h = good();
    h.b.data_offsets = [12, 16];
    expectError(() => openCheckpoint(write(rawSafetensors(h, new Uint8Array(16)))), "CHECKPOINT_CORRUPT", "gap", '"b"');
  });

  it("offsets beyond the data buffer", () => {
    const h = good();
    h.b.data_offsets = [8, 12];
    expectError(() => openCheckpoint(write(rawSafetensors(h, new Uint8Array(10)))), "CHECKPOINT_CORRUPT", '"b"', "beyond");
  });

  it("trailing bytes after the last tensor (truncated or lying header)", () => {
    expectError(() => openCheckpoint(write(rawSafetensors(good(), new Uint8Array(20)))), "CHECKPOINT_CORRUPT", "trailing", '"b"');
  });

  it("dtype/shape/byte-length mismatch", () => {
    const h = good();
    h.a.shape = [3];
    expectError(() => openCheckpoint(write(rawSafetensors(h, new Uint8Array(12)))), "CHECKPOINT_CORRUPT", '"a"', "12 bytes", "span 8 bytes");
    const h2 = good();
    h2.a.dtype = "F16";
    expectError(() => openCheckpoint(write(rawSafetensors(h2, new Uint8Array(12)))), "CHECKPOINT_CORRUPT", '"a"', "F16");
  });

  it("unknown dtype", () => {
    const h = good();
    h.a.dtype = "F33";
    expectError(() => openCheckpoint(write(rawSafetensors(h, new Uint8Array(12)))), "CHECKPOINT_CORRUPT", '"a"', "unknown dtype");
  });

  it("a header or index value nested 100,000 deep (the message quotes it briefly, no RangeError)", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const text = JSON.stringify(good()).replace('"dtype":"F32"', `"dtype":${deep}`);
    const json = new TextEncoder().encode(text);
    const bytes = new Uint8Array(8 + json.length + 12);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    bytes.set(json, 8);
    expectError(() => openCheckpoint(write(bytes)), "CHECKPOINT_CORRUPT", '"a"', "unknown dtype [[[[");
    writeCheckpoint(tmp.dir, [{ name: "x", shape: [1], data: new Float32Array(1) }, { name: "y", shape: [1], data: new Float32Array(1) }], { maxShardBytes: 4 });
    const indexFile = join(tmp.dir, "model.safetensors.index.json");
    for (const [field, value] of [["weight_map", `{"x":${deep}}`], ["metadata", `{"total_size":${deep}}`]] as const) {
      const index = JSON.parse(readFileSync(indexFile, "utf8"));
      writeFileSync(indexFile, JSON.stringify({ ...index, [field]: "@" }).replace('"@"', value));
      expectError(() => openCheckpoint(tmp.dir), "CHECKPOINT_CORRUPT", field === "weight_map" ? 'weight_map["x"]' : 'metadata["total_size"]');
      writeFileSync(indexFile, JSON.stringify(index));
    }
  });

  it("a missing tensor", () => {
    const ckpt = openCheckpoint(write(rawSafetensors(good(), new Uint8Array(12))));
    try {
      expectError(() => ckpt.readF32("c"), "CHECKPOINT_MISSING_TENSOR", '"c"');
      expectError(() => ckpt.entry("c"), "CHECKPOINT_MISSING_TENSOR", '"c"');
    } finally {
      ckpt.close();
    }
  });

  it("an index pointing at a missing shard, or at a shard without the tensor", () => {
    writeCheckpoint(tmp.dir, [{ name: "x", shape: [1], data: new Float32Array(1) }, { name: "y", shape: [1], data: new Float32Array(1) }], { maxShardBytes: 4 });
    const indexFile = join(tmp.dir, "model.safetensors.index.json");
    const index = JSON.parse(readFileSync(indexFile, "utf8"));
    index.weight_map.y = "model-00009-of-00009.safetensors";
    writeFileSync(indexFile, JSON.stringify(index));
    expectError(() => openCheckpoint(tmp.dir), "CHECKPOINT_CORRUPT", "model-00009-of-00009.safetensors", "missing");
    index.weight_map.y = "model-00001-of-00002.safetensors";
    writeFileSync(indexFile, JSON.stringify(index));
    expectError(() => openCheckpoint(tmp.dir), "CHECKPOINT_MISSING_TENSOR", '"y"', "model-00001-of-00002.safetensors");
  });

  it("a directory without a checkpoint", () => {
    expectError(() => openCheckpoint(tmp.dir), "NOT_FOUND", "model.safetensors");
  });
});
