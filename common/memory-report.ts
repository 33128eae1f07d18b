// An agent's memory budget and the plans of the models it holds, as it reports them (local agents' description,
// heartbeats, AgentService Info, ListAgents), and the reader that checks a report that came over the network.
import type { BudgetedMemoryPlan } from "./memory-plan.ts";

/** An agent's memory budget and the plans of the models it holds now (a plan leaves with its model). */
export interface MemoryBudgetReport {
  budgetBytes: number;
  plans: BudgetedMemoryPlan[];
}

/** The byte fields of a budgeted plan, each a finite number ≥ 0 in a well-formed one. */
const BYTE_FIELDS = [
  "hostWeightBytes", "backendWeightBytes", "widenScratchBytes", "gradientSumBytes", "activationBytes",
  "factorCacheBytes", "layerCacheBytes", "totalBytes", "budgetBytes", "requestedLayerCacheBytes",
] as const;

function isBytes(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A budgeted plan from untrusted JSON with exactly its own fields, or undefined when any field is missing or of the wrong kind. */
export function readBudgetedPlan(value: unknown): BudgetedMemoryPlan | undefined {
  if (!isRecord(value)) return undefined;
  const { model, backend, weightsOnHost, matrixDtypes, microBatch } = value;
  if (typeof model !== "string" || model === "" || typeof backend !== "string" || typeof weightsOnHost !== "boolean") return undefined;
  if (!Array.isArray(matrixDtypes) || !matrixDtypes.every((d) => typeof d === "string")) return undefined;
  if (!isRecord(microBatch) || !isCount(microBatch.rows) || !isCount(microBatch.plannedRows) || !isCount(microBatch.tokens)) return undefined;
  if (!BYTE_FIELDS.every((f) => isBytes(value[f]))) return undefined;
  const bytes = Object.fromEntries(BYTE_FIELDS.map((f) => [f, value[f] as number])) as Record<(typeof BYTE_FIELDS)[number], number>;
  return {
    model, backend, weightsOnHost, matrixDtypes: [...matrixDtypes] as string[],
    microBatch: { rows: microBatch.rows, plannedRows: microBatch.plannedRows, tokens: microBatch.tokens },
    ...bytes,
  };
}

/**
 * A report from untrusted JSON (a heartbeat): undefined unless it is an object with a finite positive `budgetBytes`;
 * plans that are not well-formed are left out, the others kept. Never throws.
 */
export function readMemoryBudgetReport(value: unknown): MemoryBudgetReport | undefined {
  if (!isRecord(value) || !isBytes(value.budgetBytes) || value.budgetBytes === 0) return undefined;
  const plans = Array.isArray(value.plans) ? value.plans.map(readBudgetedPlan).filter((p): p is BudgetedMemoryPlan => p !== undefined) : [];
  return { budgetBytes: value.budgetBytes, plans };
}
