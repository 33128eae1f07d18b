// planMatMul: output shapes, GEMM sizes and broadcast batch offsets, as pure arithmetic.
import { describe, expect, it } from "vitest";
import { planMatMul } from "../../agent/compute/blas/plan.ts";

describe("planMatMul", () => {
  it("reads m, k, n through the transposes", () => {
    const p = planMatMul([7, 5], [4, 7], true, true);
    expect([p.m, p.k, p.n, p.batch]).toEqual([5, 7, 4, 1]);
    expect(p.outShape).toEqual([5, 4]);
  });

  it("broadcasts batch dims right-aligned and gives stride-0 offsets on stretched axes", () => {
    const p = planMatMul([2, 1, 3, 5], [3, 5, 4], false, false);
    expect(p.outShape).toEqual([2, 3, 3, 4]);
    expect(Array.from(p.aOffsets)).toEqual([0, 0, 0, 15, 15, 15]);
    expect(Array.from(p.bOffsets)).toEqual([0, 20, 40, 0, 20, 40]);
    expect([p.aBatch, p.bBatch]).toEqual([2, 3]);
  });

  it("keeps empty dimensions in the output shape", () => {
    expect(planMatMul([0, 2, 3], [3, 4], false, false).outShape).toEqual([0, 2, 4]);
    expect(planMatMul([2, 0], [0, 4], false, false).outShape).toEqual([2, 4]);
  });

  it("rejects vectors, mismatched inner dims and unbroadcastable batches with SHAPE_MISMATCH", () => {
    expect(() => planMatMul([3], [3, 1], false, false)).toThrow(/rank ≥ 2/);
    expect(() => planMatMul([2, 3], [2, 3], false, false)).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
    expect(() => planMatMul([2, 2, 3], [3, 3, 4], false, false)).toThrow(/batch axis 0 \(2 vs 3\)/);
  });
});
