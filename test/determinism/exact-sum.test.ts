// ExactSum: the exactly rounded sum of float64 values, the same for every order and grouping (the merge of a set's shards).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExactSum } from "../../common/exact-sum.ts";

/** Every finite double is an integer multiple of 2^-1074, so sums of them are exact as BigInts in that unit. */
const UNIT = 1074;

function toUnits(x: number): bigint {
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const shift = BigInt(Math.max(exponent, 1) - 1);
  const units = mantissa << shift;
  return x < 0 ? -units : units;
}

/** An independent reference: round units·2^-1074 to the nearest double, ties to even. */
function fromUnits(s: bigint): number {
  if (s === 0n) return 0;
  const negative = s < 0n;
  const a = negative ? -s : s;
  const length = a.toString(2).length;
  const shift = Math.max(0, length - 53);
  let q = a >> BigInt(shift);
  if (shift > 0) {
    const r = a - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
  }
  const value = Number(q) * 2 ** (shift - UNIT);
  return negative ? -value : value;
}

const exact = (xs: readonly number[]) => fromUnits(xs.reduce((s, x) => s + toUnits(x), 0n));

// Losses are positive, but the merge must hold for any finite values: mixed signs and magnitudes cancel hardest.
const values = fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true })), { maxLength: 60 });

describe("ExactSum", () => {
  it("equals the exact sum rounded to nearest (an independent BigInt reference)", () => {
    fc.assert(fc.property(values, (xs) => {
      expect(new ExactSum(xs).value()).toBe(exact(xs));
    }), { numRuns: 500 });
  });

  it("gives the same total for every order and for every cut into parts merged through their partials", () => {
    fc.assert(
      fc.property(values, fc.array(fc.nat(), { maxLength: 8 }), fc.integer(), (xs, cuts, seed) => {
        const shuffled = [...xs].sort((a, b) => Math.sin(a * 1e3 + seed) - Math.sin(b * 1e3 + seed));
        const points = [...new Set(cuts.map((c) => (xs.length === 0 ? 0 : c % xs.length)))].sort((a, b) => a - b);
        const merged = new ExactSum();
        let start = 0;
        for (const end of [...points, shuffled.length]) {
          merged.addParts(new ExactSum(shuffled.slice(start, end)).parts());
          start = end;
        }
        expect(merged.value()).toBe(new ExactSum(xs).value());
      }),
      { numRuns: 300 },
    );
  });

  it("is exact where left-to-right float64 addition is not", () => {
    const xs = [1e16, 1, -1e16, 1e-3];
    expect(xs.reduce((a, b) => a + b, 0)).not.toBe(1.001);
    expect(new ExactSum(xs).value()).toBe(1.001);
    // The round-half-even case decided by a partial below the tie.
    expect(new ExactSum([1, 2 ** -53, 2 ** -110]).value()).toBe(1 + 2 ** -52);
  });

  it("lets NaN and ±Infinity decide the total, and sums nothing to 0", () => {
    expect(new ExactSum().value()).toBe(0);
    expect(new ExactSum().parts()).toEqual([]);
    expect(new ExactSum([1, Infinity, 2]).value()).toBe(Infinity);
    expect(new ExactSum([Infinity, -Infinity]).value()).toBeNaN();
    expect(new ExactSum([1, Number.NaN]).parts()).toEqual([Number.NaN]);
  });
});
