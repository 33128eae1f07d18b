// Specification of σ-gradients (Lemma 1) against finite differences, and of the matrix score.
import { describe, expect, it } from "vitest";
import { factorBlocks, scoreMatrix, sigmaGradients } from "../../agent/linalg/blocks.ts";
import type { Matrix } from "../../agent/linalg/matrix.ts";
import type { SvdResult } from "../../agent/linalg/svd/types.ts";
import { randomMatrix, svdPaths } from "./helpers.ts";

/** A smooth non-quadratic loss with a closed-form gradient: L = Σ cᵢⱼ Wᵢⱼ + ¼ Σ Wᵢⱼ⁴, G = C + W³. */
function loss(c: Matrix, w: Float64Array): number {
  let l = 0;
  for (let i = 0; i < w.length; i++) l += c.data[i] * w[i] + 0.25 * w[i] ** 4;
  return l;
}
function gradient(c: Matrix, w: Matrix): Matrix {
  return { rows: w.rows, cols: w.cols, data: w.data.map((x, i) => c.data[i] + x ** 3) };
}

/** W with σ_i of one block moved by h: W + h·uᵢvᵢᵀ on that block's rows. */
function perturbed(w: Matrix, start: number, svd: SvdResult, i: number, h: number): Float64Array {
  const out = Float64Array.from(w.data);
  const r = svd.s.length;
  for (let a = 0; a < svd.u.rows; a++) {
    for (let j = 0; j < w.cols; j++) out[(start + a) * w.cols + j] += h * svd.u.data[a * r + i] * svd.vt.data[i * w.cols + j];
  }
  return out;
}

for (const { name, svd } of svdPaths) {
  describe.skipIf(!svd)(`σ-gradients on ${name}${svd ? "" : " (skipped: liblapacke.so.3 not loadable here)"}`, () => {
    const impl = svd!;
    const w = randomMatrix(30, 22, 7);
    const c = randomMatrix(30, 22, 8);

    it("match central finite differences of the loss in each σ to relative error < 1e-6, per block", () => {
      for (const k of [1, 3]) {
        const f = factorBlocks(w, k, impl);
        const grads = sigmaGradients(f, gradient(c, w));
        f.parts.forEach((p, b) => {
          for (let i = 0; i < p.svd.s.length; i++) {
            const h = 1e-4;
            const fd = (loss(c, perturbed(w, p.start, p.svd, i, h)) - loss(c, perturbed(w, p.start, p.svd, i, -h))) / (2 * h);
            expect(Math.abs(grads[b][i] - fd) / Math.max(Math.abs(fd), 1e-3)).toBeLessThan(1e-6);
          }
        });
      }
    });

    it("compute only the trailing entries when asked for the smallest, identical to the full computation", () => {
      const f = factorBlocks(w, 2, impl);
      const g = gradient(c, w);
      const full = sigmaGradients(f, g);
      const part = sigmaGradients(f, g, { smallest: 5 });
      part.forEach((p, b) => {
        const r = p.length;
        for (let i = 0; i < r - 5; i++) expect(p[i]).toBeNaN();
        for (let i = r - 5; i < r; i++) expect(p[i]).toBeCloseTo(full[b][i], 12);
      });
      expect(scoreMatrix(f, part, 5).score).toBeCloseTo(scoreMatrix(f, full, 5).score, 12);
      expect(() => scoreMatrix(f, part, 6)).toThrow(/smallest ≥ 6/);
    });

    it("reject a gradient whose shape differs from the factored matrix", () => {
      expect(() => sigmaGradients(factorBlocks(w, 1, impl), randomMatrix(22, 30, 1))).toThrow(/same matrix/);
    });
  });
}

describe("scoreMatrix", () => {
  const f = factorBlocks(randomMatrix(8, 5, 1), 2, svdPaths[0].svd!);

  it("sums max(−g, 0) over each block's smallest s values and lists them σ-ascending", () => {
    const grads = [Float64Array.of(-9, 1, -2, 3), Float64Array.of(5, -0.5, -1, 0.25)];
    const res = scoreMatrix(f, grads, 2);
    expect(res.score).toBeCloseTo(2 + 1, 14);
    expect(res.smallest[0].grad).toEqual([3, -2]);
    expect(res.smallest[1].grad).toEqual([0.25, -1]);
    expect(res.smallest[0].sigma[0]).toBe(f.parts[0].svd.s[3]);
    expect(res.smallest[0].sigma[0]).toBeLessThanOrEqual(res.smallest[0].sigma[1]);
  });

  it("uses every singular value of a block that has fewer than s", () => {
    const grads = [Float64Array.of(-9, 1, -2, 3), Float64Array.of(5, -0.5, -1, 0.25)];
    const res = scoreMatrix(f, grads, 20);
    expect(res.score).toBeCloseTo(9 + 2 + 0.5 + 1, 14);
    expect(res.smallest.map((s) => s.sigma.length)).toEqual([4, 4]);
  });
});
