// float16/bfloat16 conversions: exact decode, round-to-nearest-even encode, checked against numpy and against brute force.
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBF16, decodeF16, encodeBF16, encodeF16 } from "../../agent/checkpoint/dtype.ts";
import { hasNumpy } from "./numpy.ts";

const numpy = hasNumpy();
if (!numpy) console.warn("[checkpoint] python3 with numpy not found: skipping the numpy float16 cross-check");

function f32(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

describe("float16", () => {
  it("decodes every half value and re-encodes it to the same bits (NaN payloads included)", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const f = new Float32Array(65536);
    decodeF16(all, f);
    const back = new Uint16Array(65536);
    encodeF16(f, back);
    expect(back).toEqual(all);
    expect([f[0x3c00], f[0xc000], f[0x7bff], f[0x0001], f[0x7c00]]).toEqual([1, -2, 65504, 2 ** -24, Infinity]);
    expect(Number.isNaN(f[0x7e00]!)).toBe(true);
  });

  it.skipIf(!numpy)("encodes float32 exactly as numpy's astype(float16) (ties to even, subnormals, overflow)", () => {
    const rng = fc.sample(fc.integer({ min: 0, max: 0xffffffff }), { numRuns: 20000, seed: 7 });
    // values near the half range's interesting edges, plus random bit patterns
    const edges = [0x33000000, 0x33000001, 0x33800000, 0x38800000, 0x387fe000, 0x477fe000, 0x477ff000, 0x477fefff, 0x47800000, 0x3f801000, 0x3f803000, 0x7f800000, 0xff800000];
    const x = f32([...edges, ...rng].filter((b) => (b & 0x7f800000) !== 0x7f800000 || (b & 0x7fffff) === 0));
    const ours = new Uint16Array(x.length);
    encodeF16(x, ours);
    const out = execFileSync("python3", ["-c", "import sys,warnings,numpy as np; warnings.simplefilter('ignore'); a=np.frombuffer(sys.stdin.buffer.read(),dtype='<f4'); sys.stdout.buffer.write(a.astype('<f2').tobytes())"], {
      input: Buffer.from(x.buffer),
      maxBuffer: 1 << 24,
    });
    const theirs = new Uint16Array(out.buffer, out.byteOffset, out.length / 2);
    const mismatches = [...ours.keys()].filter((i) => ours[i] !== theirs[i]);
    expect(mismatches.slice(0, 5).map((i) => [x[i], ours[i], theirs[i]])).toEqual([]);
  });
});

describe("bfloat16", () => {
  it("decodes to the top half of a float32 and re-encodes every pattern to the same bits", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const f = new Float32Array(65536);
    decodeBF16(all, f);
    const back = new Uint16Array(65536);
    encodeBF16(f, back);
    expect(back).toEqual(all);
  });

  it("encodes to the nearest bfloat16, ties to even", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const x = Float32Array.of(v);
        const h = new Uint16Array(1);
        encodeBF16(x, h);
        const near = (b: number) => {
          const d = new Float32Array(1);
          decodeBF16(Uint16Array.of(b & 0xffff), d);
          return d[0]!;
        };
        const got = near(h[0]!);
        for (const other of [h[0]! - 1, h[0]! + 1]) {
          const alt = near(other);
          if (!Number.isFinite(alt) || Math.sign(alt) !== Math.sign(got)) continue;
          const dGot = Math.abs(got - x[0]!);
          const dAlt = Math.abs(alt - x[0]!);
          if (!Number.isFinite(got)) return; // overflow to inf is the rounding of values past the largest finite
          expect(dGot <= dAlt).toBe(true);
          if (dGot === dAlt) expect(h[0]! & 1).toBe(0);
        }
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
