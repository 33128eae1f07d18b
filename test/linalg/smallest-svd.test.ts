// Specification of SmallestSvd: a part's trailing singular triplets from its Gram matrix, checked against LAPACK dgesdd.
import { describe, expect, it } from "vitest";
import { blockRanges } from "../../agent/linalg/blocks.ts";
import { type Matrix, rowSlice } from "../../agent/linalg/matrix.ts";
import { loadSmallestSvd } from "../../agent/linalg/svd/smallest.ts";
import { lapack, randomMatrix, withSpectrum } from "./helpers.ts";
import { EPS, expectTrailing, smallestSvd } from "./smallest-checks.ts";

/** n values from 1 down to `low`, evenly spaced in log scale (well separated: no clusters). */
function logSpaced(n: number, low: number): number[] {
  return Array.from({ length: n }, (_, i) => low ** (i / (n - 1)));
}

describe.skipIf(!smallestSvd || !lapack)(`SmallestSvd${smallestSvd && lapack ? "" : " (skipped: liblapacke.so.3 not loadable here)"}`, () => {
  const svd = smallestSvd!;
  const full = lapack!;

  function check(a: Matrix, smallest = 20, tolerance?: number) {
    const res = svd.decompose(a);
    return { res, report: expectTrailing(a, res, full.decompose(a), smallest, tolerance) };
  }

  it("gives dgesdd's trailing triplets of random wide, tall, square, 1×n and n×1 matrices, σ to a few ε·σ_max", () => {
    for (const [p, n] of [[48, 40], [40, 64], [64, 64], [300, 200], [200, 300], [1, 50], [50, 1], [7, 7], [3, 90], [21, 21]] as const) {
      const { res, report } = check(randomMatrix(p, n, p * 1000 + n));
      expect(res.partial?.method).toBe("gram");
      // As accurate as dgesdd itself, far inside the Gram bound: the Rayleigh–Ritz step does not square the condition.
      expect(report.sigmaInEpsMax).toBeLessThan(64);
    }
  });

  it("gives the trailing triplets of every row block of 48×40, 40×64 and 300×200 at K = 1, 2, 4, 8", () => {
    for (const [m, n] of [[48, 40], [40, 64], [300, 200]] as const) {
      const w = randomMatrix(m, n, m + 7 * n);
      for (const blocks of [1, 2, 4, 8]) {
        for (const { start, end } of blockRanges(m, blocks)) {
          const { res, report } = check(rowSlice(w, start, end));
          expect(res.partial?.method).toBe("gram");
          expect(report.sigmaInEpsMax).toBeLessThan(64);
        }
      }
    }
  });

  it("keeps only `smallest` triplets, and all of them when the matrix has fewer", () => {
    const five = loadSmallestSvd({ smallest: 5 });
    const a = randomMatrix(30, 45, 3);
    expectTrailing(a, five.decompose(a), full.decompose(a), 5);
    expect(five.decompose(randomMatrix(3, 45, 4)).s.length).toBe(3);
    const noGuard = loadSmallestSvd({ smallest: 5, guard: 0 });
    expectTrailing(a, noGuard.decompose(a), full.decompose(a), 5);
  });

  it("resolves a planted spectrum from 1 to 1e-3 to ε·σ_max, where the Gram eigenvalues alone err by ε·σ_max²/σ", () => {
    for (const [p, n] of [[80, 60], [60, 80], [70, 70]] as const) {
      const sigma = logSpaced(Math.min(p, n), 1e-3);
      const a = withSpectrum(p, n, sigma, p + n);
      const { res, report } = check(a);
      expect(res.partial?.method).toBe("gram");
      expect(report.sigmaInEpsMax).toBeLessThan(64);
      const k = res.s.length;
      for (let c = 0; c < k; c++) expect(Math.abs(res.s[c]! - sigma[sigma.length - k + c]!)).toBeLessThan(64 * EPS);
    }
  });

  it("stays on the Gram path to σ_max/σ = 1e5 with σ at the Gram bound or better", () => {
    const sigma = logSpaced(50, 1e-5);
    const a = withSpectrum(50, 90, sigma, 11);
    const { res } = check(a, 20, 1e-10);
    expect(res.partial?.method).toBe("gram");
  });

  it("returns valid singular pairs for rank-deficient parts: exact zeros in the spectrum, duplicate rows, a zero matrix", () => {
    const zeros = [...logSpaced(36, 1e-3), 0, 0, 0, 0];
    const duplicated = randomMatrix(30, 64, 5);
    duplicated.data.copyWithin(7 * 64, 3 * 64, 4 * 64);
    duplicated.data.copyWithin(12 * 64, 3 * 64, 4 * 64);
    const tall = randomMatrix(64, 30, 6);
    for (let i = 0; i < 64; i++) tall.data[i * 30 + 9] = tall.data[i * 30 + 2]!;
    const cases: [string, Matrix][] = [
      ["planted zeros, wide", withSpectrum(40, 55, zeros, 8)],
      ["planted zeros, tall", withSpectrum(55, 40, zeros, 9)],
      ["planted zeros, square", withSpectrum(40, 40, zeros, 10)],
      ["duplicate rows", duplicated],
      ["duplicate columns", tall],
    ];
    for (const [name, a] of cases) {
      const { res } = check(a);
      // The Gram path cannot give the long side's vector of σ = 0; the residual check sends the part to dgesdd.
      expect(res.partial?.method, name).toBe("dgesdd");
      const q = Math.min(a.rows, a.cols);
      const zeroCount = name.startsWith("planted") ? 4 : 1;
      for (let c = res.s.length - zeroCount; c < res.s.length; c++) expect(res.s[c]!).toBeLessThan(64 * q * EPS * full.decompose(a).s[0]!);
    }
    for (const [p, n] of [[20, 30], [30, 20], [1, 8]] as const) {
      const res = svd.decompose({ rows: p, cols: n, data: new Float64Array(p * n) });
      expect([...res.s]).toEqual(new Array(Math.min(p, n, 20)).fill(0));
      expectTrailing({ rows: p, cols: n, data: new Float64Array(p * n) }, res, full.decompose({ rows: p, cols: n, data: new Float64Array(p * n) }), 20);
    }
  });

  it("falls back to dgesdd's trailing triplets whenever a pair exceeds maxResidual", () => {
    const strict = loadSmallestSvd({ maxResidual: 1e-300 });
    const a = randomMatrix(50, 70, 12);
    const res = strict.decompose(a);
    expect(res.partial).toEqual({ rank: 50, method: "dgesdd" });
    const ref = full.decompose(a);
    expect([...res.s]).toEqual([...ref.s.slice(30)]);
    expectTrailing(a, res, ref, 20);
  });

  it("refuses NaN inputs and invalid settings, naming them", () => {
    const a = randomMatrix(5, 6, 1);
    a.data[8] = Number.NaN;
    expect(() => svd.decompose(a)).toThrow(expect.objectContaining({ code: "NUMERIC", message: expect.stringContaining("(1, 2)") }));
    expect(() => loadSmallestSvd({ smallest: 0 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining("smallest = 0") }));
    expect(() => loadSmallestSvd({ guard: -1 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => loadSmallestSvd({ maxResidual: 0 })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => loadSmallestSvd({ libraries: ["libnothing-here.so.9"] })).toThrow(expect.objectContaining({ code: "NOT_FOUND", message: expect.stringContaining("libnothing-here.so.9") }));
  });
});
