// Property tests of the safetensors reader: random valid files round-trip bit-exactly; random damage always ends in a clear C2iError.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { C2iError } from "../../common/errors.ts";
import { openCheckpoint, writeSafetensors, type Dtype, type TensorToWrite } from "../../agent/checkpoint/safetensors.ts";
import { decodeBF16, decodeF16 } from "../../agent/checkpoint/dtype.ts";
import { makeTempDir, rawSafetensors } from "./tmp.ts";

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  tmp = makeTempDir("c2i-prop-");
});
afterAll(() => tmp.remove());

const SEED = 20261126;
let counter = 0;
const freshFile = () => join(tmp.dir, `f${counter++}.safetensors`);

/** A tensor whose values are exactly representable in its dtype (random bit patterns of that width). */
const tensorArb = (minDim: number) =>
  fc
    .record({
      dtype: fc.constantFrom<Dtype>("F32", "F16", "BF16"),
      shape: fc.array(fc.integer({ min: minDim, max: 5 }), { minLength: 0, maxLength: 3 }),
      seed: fc.integer(),
    })
    .map(({ dtype, shape, seed }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      let s = seed >>> 0;
      const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
      if (dtype === "F32") {
        const bits = new Uint32Array(data.buffer);
        for (let i = 0; i < n; i++) bits[i] = next();
      } else {
        const half = Uint16Array.from({ length: n }, () => next() >>> 16);
        (dtype === "F16" ? decodeF16 : decodeBF16)(half, data);
      }
      return { shape, dtype, data };
    });

const fileArb = (minDim: number) =>
  fc
    .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), tensorArb(minDim)), {
      minLength: 1,
      maxLength: 6,
      selector: ([name]) => name,
    })
    .map((entries) => entries.filter(([name]) => name !== "__metadata__").map(([name, t]): TensorToWrite => ({ name, ...t })))
    .filter((ts) => ts.length > 0);

function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Reading a damaged file: a C2iError with a checkpoint code, or exactly the original tensors. Anything else fails. */
function readOrExplain(file: string, original: TensorToWrite[]): "error" | "same" {
  let ckpt;
  try {
    ckpt = openCheckpoint(file);
  } catch (e) {
    expect(e).toBeInstanceOf(C2iError);
    expect(["CHECKPOINT_CORRUPT", "CHECKPOINT_MISSING_TENSOR"]).toContain((e as C2iError).code);
    expect((e as C2iError).message).toContain(file);
    return "error";
  }
  try {
    for (const t of original) {
      try {
        const got = ckpt.readF32(t.name);
        expect(ckpt.entry(t.name).shape).toEqual(t.shape);
        expect(bitsOf(got)).toEqual(bitsOf(t.data));
      } catch (e) {
        if (!(e instanceof C2iError)) throw e;
        // a flipped byte renamed the tensor, or relabelled F16 as I16 (a valid file, but not floats)
        expect(["CHECKPOINT_MISSING_TENSOR", "INVALID_ARGUMENT"]).toContain(e.code);
        return "error";
      }
    }
    return "same";
  } finally {
    ckpt.close();
  }
}

describe("safetensors properties", () => {
  it("random valid files (F32/F16/BF16, any shapes including empty and scalar) round-trip bit-exactly", () => {
    fc.assert(
      fc.property(fileArb(0), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), (tensors, metadata) => {
        const file = freshFile();
        writeSafetensors(file, tensors, metadata);
        const bytes = readFileSync(file);
        const ckpt = openCheckpoint(file);
        try {
          expect(ckpt.names()).toEqual(tensors.map((t) => t.name).sort());
          expect(ckpt.metadata()).toEqual(Object.keys(metadata).length ? { ...metadata } : {});
          for (const t of tensors) {
            expect(ckpt.entry(t.name)).toMatchObject({ dtype: t.dtype, shape: t.shape });
            expect(bitsOf(ckpt.readF32(t.name))).toEqual(bitsOf(t.data));
          }
        } finally {
          ckpt.close();
        }
        // and writing what we read reproduces the file byte for byte
        const again = freshFile();
        const reread = openCheckpoint(file);
        writeSafetensors(again, tensors.map((t) => ({ ...t, data: reread.readF32(t.name) })), metadata);
        reread.close();
        expect(readFileSync(again)).toEqual(bytes);
      }),
      { numRuns: 150, seed: SEED },
    );
  });

  it("any truncation ends in CHECKPOINT_CORRUPT naming the file", () => {
    fc.assert(
      fc.property(fileArb(1), fc.double({ min: 0, max: 1, noNaN: true }), (tensors, cut) => {
        const file = freshFile();
        writeSafetensors(file, tensors);
        const bytes = readFileSync(file);
        const keep = Math.min(bytes.length - 1, Math.floor(cut * bytes.length));
        writeFileSync(file, bytes.subarray(0, keep));
        expect(readOrExplain(file, tensors)).toBe("error");
      }),
      { numRuns: 200, seed: SEED + 1 },
    );
  });

  it("flipped bytes in the length prefix or header give a clear error or the untouched tensors, never a wrong tensor", () => {
    fc.assert(
      fc.property(fileArb(1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }), (tensors, flips) => {
        const file = freshFile();
        writeSafetensors(file, tensors);
        const bytes = readFileSync(file);
        const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
        for (const [at, mask] of flips) bytes[at % headerEnd] ^= mask;
        writeFileSync(file, bytes);
        readOrExplain(file, tensors);
      }),
      { numRuns: 300, seed: SEED + 2 },
    );
  });

  it("lying offsets (consistent JSON, wrong numbers) are always rejected", () => {
    fc.assert(
      fc.property(fileArb(1), fc.nat(), fc.integer({ min: -64, max: 64 }).filter((d) => d !== 0), fc.boolean(), (tensors, pick, delta, moveEnd) => {
        const file = freshFile();
        writeSafetensors(file, tensors);
        const bytes = readFileSync(file);
        const n = Number(bytes.readBigUInt64LE(0));
        const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"));
        const names = Object.keys(header).filter((k) => k !== "__metadata__");
        const victim = header[names[pick % names.length]!];
        const i = moveEnd ? 1 : 0;
        victim.data_offsets[i] = Math.max(0, victim.data_offsets[i] + delta);
        fc.pre(JSON.stringify(victim.data_offsets) !== JSON.stringify(JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"))[names[pick % names.length]!].data_offsets));
        writeFileSync(file, rawSafetensors(header, bytes.subarray(8 + n)));
        expect(readOrExplain(file, tensors)).toBe("error");
      }),
      { numRuns: 200, seed: SEED + 3 },
    );
  });
});
