import { describe, expect, it } from "vitest";
import { Bf16Widener, simdWideningAvailable } from "../../agent/checkpoint/bf16-widen.ts";
import { decodeBF16 } from "../../agent/checkpoint/dtype.ts";

/** The float32 bit patterns of `values`, to compare NaN payloads and signed zeros exactly. */
const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

/** Every bfloat16 pattern, then a few more so the length is not a multiple of four. */
const EVERY = Uint16Array.from({ length: 65536 + 3 }, (_, i) => i & 0xffff);

describe("bfloat16 widening in WebAssembly SIMD", () => {
  it("compiles on this runtime", () => {
    expect(simdWideningAvailable()).toBe(true);
  });

  it("widens every pattern to the same bits as the JavaScript decoder (NaN payloads, signed zeros)", () => {
    const expected = new Float32Array(EVERY.length);
    decodeBF16(EVERY, expected);
    expect(bitsOf(new Bf16Widener().widen(EVERY))).toEqual(bitsOf(expected));
  });

  it("returns exactly the input's length whatever it is, from any 16-bit offset", () => {
    const widener = new Bf16Widener();
    for (const [start, n] of [[0, 0], [0, 1], [1, 2], [3, 3], [5, 4], [7, 5], [11, 9], [1, 4097]] as const) {
      const words = EVERY.subarray(start + 0x3f00, start + 0x3f00 + n);
      const expected = new Float32Array(n);
      decodeBF16(words, expected);
      const got = widener.widen(words);
      expect(got.length).toBe(n);
      expect(bitsOf(got)).toEqual(bitsOf(expected));
    }
  });

  it("grows for a larger input and keeps widening correctly after it", () => {
    const widener = new Bf16Widener();
    const small = EVERY.subarray(0x3f80, 0x3f88);
    const first = bitsOf(widener.widen(small));
    const large = Uint16Array.from({ length: 300_000 }, (_, i) => (i * 40503) & 0xffff);
    const expected = new Float32Array(large.length);
    decodeBF16(large, expected);
    expect(bitsOf(widener.widen(large))).toEqual(bitsOf(expected));
    expect(bitsOf(widener.widen(small))).toEqual(first);
  });
});
