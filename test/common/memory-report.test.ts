// Reading an agent's memory report from untrusted JSON (common/memory-report.ts): well-formed plans are kept field for
// field, malformed ones are left out, a report without a valid budget is no report; nothing throws.
import { describe, expect, it } from "vitest";
import { fitMemoryBudget, type MemoryPlan } from "../../common/memory-plan.ts";
import { readBudgetedPlan, readMemoryBudgetReport } from "../../common/memory-report.ts";

const MiB = 2 ** 20;
const plan: MemoryPlan = {
  model: "/models/gpt2", backend: "wasm", weightsOnHost: true, matrixDtypes: ["F32"],
  hostWeightBytes: 400 * MiB, backendWeightBytes: MiB, widenScratchBytes: 0, gradientSumBytes: 0,
  microBatch: { rows: 16, plannedRows: 16, tokens: 48 }, activationBytes: 300 * MiB, factorCacheBytes: 1024 * MiB, layerCacheBytes: 512 * MiB,
  totalBytes: 400 * MiB + MiB + 300 * MiB + 1024 * MiB + 512 * MiB,
};
const budgeted = fitMemoryBudget(plan, 2048 * MiB);

describe("readMemoryBudgetReport", () => {
  it("keeps a report as the agent sent it, through JSON", () => {
    const report = { budgetBytes: 2048 * MiB, plans: [budgeted] };
    expect(readMemoryBudgetReport(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it("leaves out malformed plans and keeps the others", () => {
    const bad: unknown[] = [
      null, 7, "plan", [budgeted],
      { ...budgeted, model: "" },
      { ...budgeted, model: 3 },
      { ...budgeted, weightsOnHost: "yes" },
      { ...budgeted, matrixDtypes: "F32" },
      { ...budgeted, matrixDtypes: [1] },
      { ...budgeted, totalBytes: -1 },
      { ...budgeted, totalBytes: "1 GiB" },
      { ...budgeted, budgetBytes: null },
      { ...budgeted, microBatch: { rows: 16, plannedRows: 1.5, tokens: 48 } },
      { ...budgeted, microBatch: undefined },
      Object.fromEntries(Object.entries(budgeted).filter(([k]) => k !== "activationBytes")),
    ];
    for (const b of bad) expect(readBudgetedPlan(b), JSON.stringify(b)).toBeUndefined();
    expect(readMemoryBudgetReport({ budgetBytes: 2048 * MiB, plans: [...bad, budgeted] })).toEqual({ budgetBytes: 2048 * MiB, plans: [budgeted] });
  });

  it("drops fields a plan does not have", () => {
    expect(readBudgetedPlan({ ...budgeted, extra: "x".repeat(1000) })).toEqual(budgeted);
  });

  it("is no report without a positive finite budget, and no plans without a plan list", () => {
    for (const v of [undefined, null, "big", [], {}, { budgetBytes: 0 }, { budgetBytes: -5 }, { budgetBytes: "5" }, { budgetBytes: Number.NaN }]) {
      expect(readMemoryBudgetReport(v), JSON.stringify(v)).toBeUndefined();
    }
    expect(readMemoryBudgetReport({ budgetBytes: MiB, plans: "none" })).toEqual({ budgetBytes: MiB, plans: [] });
    expect(readMemoryBudgetReport({ budgetBytes: MiB })).toEqual({ budgetBytes: MiB, plans: [] });
  });
});
