// Specification of the seeded PRNG and of the adaptation/test and LASER splits.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mulberry32, seededPermutation } from "../../common/random.ts";
import { adaptTestSplit, laserSplit } from "../../common/split.ts";
import { isC2iError } from "../../common/errors.ts";

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isC2iError(e) ? e.code : "not a C2iError";
  }
  return undefined;
}

describe("seeded randomness", () => {
  it("gives the same stream for the same seed and a different one for another seed", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(sa);
    expect(Array.from({ length: 5 }, c)).not.toEqual(sa);
  });

  it("draws uniform numbers in [0, 1)", () => {
    const r = mulberry32(7);
    const xs = Array.from({ length: 20_000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const n of buckets) expect(Math.abs(n - 2000)).toBeLessThan(200);
  });

  it("makes permutations", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
        const p = seededPermutation(n, seed);
        expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it("rejects a non-integer seed", () => {
    expect(codeOf(() => mulberry32(1.5))).toBe("INVALID_ARGUMENT");
  });
});

describe("adaptation/test split", () => {
  it("is deterministic, disjoint and covering, with 100 adaptation rows by default", () => {
    fc.assert(
      fc.property(fc.integer({ min: 101, max: 2000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n, seed) => {
        const split = adaptTestSplit(n, { seed });
        expect(split).toEqual(adaptTestSplit(n, { seed }));
        expect(split.adapt).toHaveLength(100);
        expect(split.test).toHaveLength(n - 100);
        const all = new Set([...split.adapt, ...split.test]);
        expect(all.size).toBe(n);
        expect(Math.min(...all)).toBe(0);
        expect(Math.max(...all)).toBe(n - 1);
        expect(split.adapt).toEqual([...split.adapt].sort((a, b) => a - b));
      }),
      { numRuns: 50 },
    );
  });

  it("draws a seeded test subset without changing the adaptation set", () => {
    const full = adaptTestSplit(1000, { seed: 5, adaptSize: 50 });
    const sub = adaptTestSplit(1000, { seed: 5, adaptSize: 50, testSize: 200 });
    expect(sub.adapt).toEqual(full.adapt);
    expect(sub.test).toHaveLength(200);
    for (const i of sub.test) expect(full.test).toContain(i);
  });

  it("depends on the seed and is not the first rows", () => {
    const a = adaptTestSplit(1000, { seed: 1 });
    const b = adaptTestSplit(1000, { seed: 2 });
    expect(a.adapt).not.toEqual(b.adapt);
    expect(a.adapt).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("refuses a dataset that leaves no test rows, and an oversized test set", () => {
    expect(codeOf(() => adaptTestSplit(100, { seed: 1 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => adaptTestSplit(150, { seed: 1, testSize: 51 }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => adaptTestSplit(150, { seed: 1, adaptSize: 0 }))).toBe("INVALID_ARGUMENT");
  });
});

describe("LASER split", () => {
  it("takes the first 20% of the rows, unshuffled, as validation and the rest as test", () => {
    expect(laserSplit(10)).toEqual({ validation: [0, 1], test: [2, 3, 4, 5, 6, 7, 8, 9] });
    const s = laserSplit(1234);
    expect(s.validation).toHaveLength(246); // int(0.2 * 1234)
    expect(s.test[0]).toBe(246);
    expect(s.validation.length + s.test.length).toBe(1234);
  });

  it("honours the fraction and refuses splits with an empty side", () => {
    expect(laserSplit(10, { validationFraction: 0.5 }).validation).toHaveLength(5);
    expect(codeOf(() => laserSplit(4))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => laserSplit(10, { validationFraction: 1 }))).toBe("INVALID_ARGUMENT");
  });
});
