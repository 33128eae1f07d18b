// An agent's memory report (common/memory-report.ts) as the c2i.v1 fields AgentInfoReply and AgentSummary share
// (memory_budget_bytes, memory_plans), both directions; no budget on the wire is no report.
import type { BudgetedMemoryPlan } from "../common/memory-plan.ts";
import type { MemoryBudgetReport } from "../common/memory-report.ts";
import type { MemoryPlan as MemoryPlanMsg, MemoryPlan__Output } from "./gen/c2i/v1/MemoryPlan.ts";

/** The two fields as written. */
export interface MemoryReportFields {
  memoryBudgetBytes?: number;
  memoryPlans: MemoryPlanMsg[];
}

function planToWire(p: BudgetedMemoryPlan): MemoryPlanMsg {
  return {
    model: p.model, backend: p.backend, weightsOnHost: p.weightsOnHost, matrixDtypes: p.matrixDtypes,
    hostWeightBytes: p.hostWeightBytes, backendWeightBytes: p.backendWeightBytes, widenScratchBytes: p.widenScratchBytes,
    gradientSumBytes: p.gradientSumBytes, microBatch: { ...p.microBatch }, activationBytes: p.activationBytes,
    factorCacheBytes: p.factorCacheBytes, layerCacheBytes: p.layerCacheBytes, totalBytes: p.totalBytes,
    budgetBytes: p.budgetBytes, requestedLayerCacheBytes: p.requestedLayerCacheBytes,
  };
}

function planFromWire(m: MemoryPlan__Output): BudgetedMemoryPlan {
  const b = m.microBatch;
  return {
    model: m.model, backend: m.backend, weightsOnHost: m.weightsOnHost, matrixDtypes: m.matrixDtypes,
    hostWeightBytes: m.hostWeightBytes, backendWeightBytes: m.backendWeightBytes, widenScratchBytes: m.widenScratchBytes,
    gradientSumBytes: m.gradientSumBytes, microBatch: { rows: b?.rows ?? 0, plannedRows: b?.plannedRows ?? 0, tokens: b?.tokens ?? 0 },
    activationBytes: m.activationBytes, factorCacheBytes: m.factorCacheBytes, layerCacheBytes: m.layerCacheBytes,
    totalBytes: m.totalBytes, budgetBytes: m.budgetBytes, requestedLayerCacheBytes: m.requestedLayerCacheBytes,
  };
}

export function memoryReportToWire(report: MemoryBudgetReport | undefined): MemoryReportFields {
  return report ? { memoryBudgetBytes: report.budgetBytes, memoryPlans: report.plans.map(planToWire) } : { memoryPlans: [] };
}

export function memoryReportFromWire(m: { memoryBudgetBytes?: number; memoryPlans: MemoryPlan__Output[] }): MemoryBudgetReport | undefined {
  return m.memoryBudgetBytes === undefined ? undefined : { budgetBytes: m.memoryBudgetBytes, plans: m.memoryPlans.map(planFromWire) };
}
