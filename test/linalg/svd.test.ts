// Specification of every SVD path: orthonormal factors, exact reconstruction, known spectra, canonical signs.
import { describe, expect, it } from "vitest";
import { frobeniusNorm, type Matrix, multiply } from "../../agent/linalg/matrix.ts";
import { orthonormalityError, randomMatrix, reconstruct, svdPaths, withSpectrum } from "./helpers.ts";
import { transpose } from "../../agent/linalg/matrix.ts";

const shapes: [string, Matrix][] = [
  ["tall 90×30", randomMatrix(90, 30, 1)],
  ["wide 30×90", randomMatrix(30, 90, 2)],
  ["square 45×45", randomMatrix(45, 45, 3)],
  ["nearly square 50×40", randomMatrix(50, 40, 4)],
  ["1×7", randomMatrix(1, 7, 5)],
  ["7×1", randomMatrix(7, 1, 6)],
  ["1×1", randomMatrix(1, 1, 7)],
  ["zero 6×4", { rows: 6, cols: 4, data: new Float64Array(24) }],
  ["rank 5 of 40×30", multiply(randomMatrix(40, 5, 8), randomMatrix(5, 30, 9))],
  ["rank 3 wide 12×70", multiply(randomMatrix(12, 3, 10), randomMatrix(3, 70, 11))],
];

for (const { name, svd } of svdPaths) {
  describe.skipIf(!svd)(`SVD path ${name}${svd ? "" : " (skipped: liblapacke.so.3 not loadable here)"}`, () => {
    const impl = svd!;
    for (const [label, a] of shapes) {
      it(`factors ${label} into orthonormal U, V and descending σ ≥ 0 that reconstruct it to 1e-12`, () => {
        const res = impl.decompose(a);
        const r = Math.min(a.rows, a.cols);
        expect(res.u.rows).toBe(a.rows);
        expect(res.u.cols).toBe(r);
        expect(res.vt.rows).toBe(r);
        expect(res.vt.cols).toBe(a.cols);
        expect(res.s.length).toBe(r);
        for (let i = 0; i < r; i++) {
          expect(res.s[i]).toBeGreaterThanOrEqual(0);
          if (i > 0) expect(res.s[i]).toBeLessThanOrEqual(res.s[i - 1]);
        }
        expect(orthonormalityError(res.u)).toBeLessThan(1e-12);
        expect(orthonormalityError(transpose(res.vt))).toBeLessThan(1e-12);
        const diff = reconstruct(res).data.map((x, i) => x - a.data[i]);
        const norm = frobeniusNorm(a);
        expect(norm === 0 ? frobeniusNorm(diff) : frobeniusNorm(diff) / norm).toBeLessThan(1e-12);
      });
    }

    it("never modifies its input", () => {
      const a = randomMatrix(20, 12, 12);
      const copy = Float64Array.from(a.data);
      impl.decompose(a);
      expect(a.data).toEqual(copy);
    });

    it("recovers a known spectrum spanning 1e0…1e-6 to relative error < 1e-9 on each σ", () => {
      for (const [rows, cols, seed] of [
        [120, 60, 20],
        [60, 120, 21],
        [70, 70, 22],
      ]) {
        const k = Math.min(rows, cols);
        const sigma = Array.from({ length: k }, (_, i) => 10 ** (-6 * (i / (k - 1))));
        const res = impl.decompose(withSpectrum(rows, cols, sigma, seed));
        for (let i = 0; i < k; i++) expect(Math.abs(res.s[i] - sigma[i]) / sigma[i]).toBeLessThan(1e-9);
      }
    });

    it("reports zero singular values of a rank-deficient matrix as zero to rounding", () => {
      const a = withSpectrum(30, 20, [3, 2, 1, 0.5, 0, 0, 0], 30);
      const res = impl.decompose(a);
      for (let i = 4; i < 20; i++) expect(res.s[i]).toBeLessThan(1e-14);
    });

    it("makes the largest-magnitude entry of every u column positive, deterministically", () => {
      const a = randomMatrix(35, 25, 40);
      const first = impl.decompose(a);
      const again = impl.decompose(a);
      expect(again.u.data).toEqual(first.u.data);
      expect(again.vt.data).toEqual(first.vt.data);
      const { u } = first;
      for (let k = 0; k < u.cols; k++) {
        let best = 0;
        for (let i = 0; i < u.rows; i++) if (Math.abs(u.data[i * u.cols + k]) > Math.abs(best)) best = u.data[i * u.cols + k];
        expect(best).toBeGreaterThan(0);
      }
    });
  });
}

describe.skipIf(!svdPaths[2].svd)("LAPACK and TypeScript paths agree", () => {
  it("returns the same σ and, with canonical signs, the same vectors for a well-separated spectrum", () => {
    const sigma = Array.from({ length: 40 }, (_, i) => 2 ** -(i / 4));
    const a = withSpectrum(80, 40, sigma, 50);
    const ts = svdPaths[0].svd!.decompose(a);
    const lp = svdPaths[2].svd!.decompose(a);
    for (let i = 0; i < 40; i++) expect(Math.abs(ts.s[i] - lp.s[i]) / lp.s[i]).toBeLessThan(1e-12);
    for (let i = 0; i < ts.u.data.length; i++) expect(Math.abs(ts.u.data[i] - lp.u.data[i])).toBeLessThan(1e-9);
    for (let i = 0; i < ts.vt.data.length; i++) expect(Math.abs(ts.vt.data[i] - lp.vt.data[i])).toBeLessThan(1e-9);
  });
});

describe("SVD input checks", () => {
  for (const { name, svd } of svdPaths) {
    it.skipIf(!svd)(`${name} refuses NaN and Inf with a NUMERIC error naming the entry`, () => {
      const a = randomMatrix(5, 4, 1);
      a.data[6] = Number.NaN;
      expect(() => svd!.decompose(a)).toThrow(/NaN at \(1, 2\)/);
      a.data[6] = Number.POSITIVE_INFINITY;
      expect(() => svd!.decompose(a)).toThrow(/Infinity at \(1, 2\)/);
    });
  }
});
