// Specification of the reflector kernels the TypeScript SVD is built from: blocked equals one-by-one, QR reconstructs.
import { describe, expect, it } from "vitest";
import { applyBlock, applyReflectorsReverse, buildBlock } from "../../agent/linalg/svd/block-reflector.ts";
import { applyReflectorsToRows, makeReflector, type Reflector } from "../../agent/linalg/svd/householder.ts";
import { qrTransposed } from "../../agent/linalg/svd/qr.ts";
import { randomMatrix } from "./helpers.ts";

function reflectors(count: number, width: number, seed: number): Reflector[] {
  const src = randomMatrix(count, width, seed).data;
  return Array.from({ length: count }, (_, k) => makeReflector(src, k * width + k, width - k, k).refl);
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe("Householder reflectors", () => {
  it("map a vector onto β e₁ with |β| = ‖x‖ and are orthogonal", () => {
    const x = Float64Array.of(3, 1, -2, 5);
    const { beta, refl } = makeReflector(x, 0, 4, 0);
    expect(Math.abs(beta)).toBeCloseTo(Math.sqrt(39), 14);
    const row = Float64Array.from(x);
    applyReflectorsToRows(row, 4, 0, 1, [refl], 0, 1, 1);
    expect(row[0]).toBeCloseTo(beta, 14);
    for (let i = 1; i < 4; i++) expect(Math.abs(row[i])).toBeLessThan(1e-14);
  });

  it("leave a vector already along e₁ alone (τ = 0), including the zero vector", () => {
    expect(makeReflector(Float64Array.of(2, 0, 0), 0, 3, 0).refl.tau).toBe(0);
    expect(makeReflector(Float64Array.of(0, 0), 0, 2, 0).refl.tau).toBe(0);
  });

  it("applied in compact WY blocks give the same rows as applied one by one, forward and reverse", () => {
    for (const [rows, count, width] of [
      [9, 7, 23],
      [4, 8, 8],
      [13, 5, 40],
    ]) {
      const refls = reflectors(count, width, rows + count);
      const x = randomMatrix(rows, width, 99).data;
      const seqF = Float64Array.from(x);
      applyReflectorsToRows(seqF, width, 0, rows, refls, 0, count, 1);
      const blkF = Float64Array.from(x);
      applyBlock(blkF, width, 0, rows, buildBlock(refls, 0, count, false));
      expect(maxDiff(seqF, blkF)).toBeLessThan(1e-13);
      const seqR = Float64Array.from(x);
      applyReflectorsToRows(seqR, width, 0, rows, refls, count - 1, count, -1);
      const blkR = Float64Array.from(x);
      applyReflectorsReverse(blkR, width, 0, rows, refls, 0, count, 3);
      expect(maxDiff(seqR, blkR)).toBeLessThan(1e-13);
    }
  });

  it("factor a tall matrix as Q R with R upper triangular, for panels that do not divide n", () => {
    const m = 37;
    const n = 11;
    const a = randomMatrix(m, n, 5);
    const at = new Float64Array(n * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a.data[i * n + j];
    const { refls, rt } = qrTransposed(at, n, m, 4);
    // Column j of A = Q R[:, j] = H₀…H_{n−1} r_j, i.e. the row r_jᵀ times H_{n−1}…H₀.
    for (let j = 0; j < n; j++) {
      const col = new Float64Array(m);
      for (let i = 0; i <= j; i++) col[i] = rt[j * n + i];
      applyReflectorsToRows(col, m, 0, 1, refls, n - 1, n, -1);
      for (let i = 0; i < m; i++) expect(Math.abs(col[i] - a.data[i * n + j])).toBeLessThan(1e-13);
    }
  });
});
