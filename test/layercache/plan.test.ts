// Which layer inputs the cache keeps under a memory bound, and how many layers an edit then reruns.
import { describe, expect, it } from "vitest";
import { chooseLayers, layersRerun } from "../../agent/work/layer-cache-plan.ts";

describe("chooseLayers", () => {
  it("keeps the inputs of every layer 1…L−1 when the bound allows them all (layer 0's input is only the embedding)", () => {
    expect(chooseLayers(12, 11)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(chooseLayers(12, 500)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(chooseLayers(2, 1)).toEqual([1]);
  });

  it("keeps nothing when not even one layer fits, and never more layers than the budget", () => {
    expect(chooseLayers(12, 0)).toEqual([]);
    expect(chooseLayers(12, 0.9)).toEqual([]);
    expect(chooseLayers(1, 5)).toEqual([]);
    for (let L = 1; L <= 16; L++) for (let k = 0; k <= L + 2; k++) expect(chooseLayers(L, k).length).toBeLessThanOrEqual(Math.min(k, Math.max(0, L - 1)));
  });

  it("spaces a partial budget evenly, which reruns fewer layers in total than keeping only the deepest inputs", () => {
    expect(chooseLayers(12, 3)).toEqual([3, 6, 9]);
    expect(chooseLayers(12, 1)).toEqual([6]);
    const total = (kept: number[]) => Array.from({ length: 12 }, (_, l) => layersRerun(12, kept, l)).reduce((a, b) => a + b, 0);
    expect(total(chooseLayers(12, 3))).toBeLessThan(total([9, 10, 11]));
    expect(total([])).toBe(144);
  });
});

describe("layersRerun", () => {
  it("starts from the deepest kept input at or below the edited layer", () => {
    expect(layersRerun(12, [3, 6, 9], 7)).toBe(6);
    expect(layersRerun(12, [3, 6, 9], 2)).toBe(12);
    expect(layersRerun(12, [3, 6, 9], 9)).toBe(3);
    expect(layersRerun(12, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 12)).toBe(1);
  });
});
