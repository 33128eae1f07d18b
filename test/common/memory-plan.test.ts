// A memory plan under a budget (common/memory-plan.ts): the layer cache gets what the rest leaves; a plan whose other
// parts exceed the budget is refused with each part, the total and the budget in the message.
import { describe, expect, it } from "vitest";
import { defaultMemoryBudgetBytes, describeMemoryPlan, fitMemoryBudget, formatBytes, type MemoryPlan } from "../../common/memory-plan.ts";
import { C2iError } from "../../common/errors.ts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

const plan: MemoryPlan = {
  model: "/models/llama", backend: "wasm", weightsOnHost: true, matrixDtypes: ["BF16"],
  hostWeightBytes: 2 * GiB, backendWeightBytes: MiB / 4, widenScratchBytes: 16 * MiB, gradientSumBytes: 0,
  microBatch: { rows: 16, plannedRows: 3, tokens: 48 }, activationBytes: 1.5 * GiB, factorCacheBytes: GiB, layerCacheBytes: 512 * MiB,
  totalBytes: 2 * GiB + MiB / 4 + 16 * MiB + 1.5 * GiB + GiB + 512 * MiB,
};
const fixed = plan.totalBytes - plan.layerCacheBytes;

describe("fitMemoryBudget", () => {
  it("keeps the whole layer cache when the budget holds it", () => {
    const fit = fitMemoryBudget(plan, 8 * GiB);
    expect(fit).toMatchObject({ layerCacheBytes: 512 * MiB, totalBytes: plan.totalBytes, budgetBytes: 8 * GiB, requestedLayerCacheBytes: 512 * MiB });
  });

  it("caps the layer cache to what the other parts leave, down to none", () => {
    expect(fitMemoryBudget(plan, fixed + 100 * MiB)).toMatchObject({ layerCacheBytes: 100 * MiB, totalBytes: fixed + 100 * MiB });
    expect(fitMemoryBudget(plan, fixed)).toMatchObject({ layerCacheBytes: 0, totalBytes: fixed });
  });

  it("never changes the micro-batch: it only refuses or caps the cache", () => {
    expect(fitMemoryBudget(plan, fixed).microBatch).toEqual(plan.microBatch);
    expect(fitMemoryBudget(plan, fixed).activationBytes).toBe(plan.activationBytes);
  });

  it("refuses a plan whose other parts exceed the budget, naming each part, the total and the budget", () => {
    let error: unknown;
    try {
      fitMemoryBudget(plan, fixed - 1, "--memory-gib 4.5");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(C2iError);
    expect((error as C2iError).code).toBe("INVALID_ARGUMENT");
    expect((error as Error).message).toBe(
      "/models/llama: the memory plan on wasm needs 4.52 GiB before any layer cache (host weights 2.00 GiB (BF16), backend weights 256.0 KiB, " +
        "widen scratch 16.0 MiB, activations 1.50 GiB (3 × 48 tokens, cut from 16 by the backend's limit), SVD factor cache 1.00 GiB), beyond the 4.52 GiB memory budget " +
        "(--memory-gib 4.5); raise the budget, run fewer agents on this machine, or use a smaller or 16-bit (BF16/F16) checkpoint",
    );
  });
});

describe("describeMemoryPlan", () => {
  it("names each part, a capped layer cache and the budget on one line", () => {
    expect(describeMemoryPlan({ ...plan, microBatch: { rows: 16, plannedRows: 16, tokens: 48 }, gradientSumBytes: 300 * MiB })).toBe(
      "host weights 2.00 GiB (BF16), backend weights 256.0 KiB, widen scratch 16.0 MiB, activations 1.50 GiB (16 × 48 tokens), " +
        "gradient sums 300.0 MiB, SVD factor cache 1.00 GiB, layer cache 512.0 MiB; total 5.02 GiB",
    );
    expect(describeMemoryPlan(fitMemoryBudget(plan, fixed + 100 * MiB))).toMatch(/layer cache 100\.0 MiB \(capped from 512\.0 MiB\); total 4\.61 GiB of a 4\.61 GiB budget$/);
  });
});

describe("formatBytes and the default budget", () => {
  it("prints B, KiB, MiB and GiB", () => {
    expect([0, 1023, 1536, 5 * MiB, 1.25 * GiB].map(formatBytes)).toEqual(["0 B", "1023 B", "1.5 KiB", "5.0 MiB", "1.25 GiB"]);
  });

  it("is 80% of the machine's memory", () => {
    expect(defaultMemoryBudgetBytes(16 * GiB)).toBe(Math.floor(0.8 * 16 * GiB));
  });
});
