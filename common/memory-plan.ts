// A model's memory plan as plain data (agents log and report it, `c2i adapt` prints it) and the budget it must fit (issue 16).
import { C2iError, ErrorCode } from "./errors.ts";

/**
 * What one agent holds for one model while it runs a gradient pass or an evaluation, planned from the model's
 * config.json and checkpoint header alone (agent/models/memory-plan.ts). Bytes throughout.
 */
export interface MemoryPlan {
  /** The model directory planned. */
  model: string;
  /** The tfjs backend planned for: "wasm", "cpu" or "tensorflow". */
  backend: string;
  /** Matrices and embedding tables stay in host memory in their stored dtype (the default on wasm and cpu). */
  weightsOnHost: boolean;
  /** Stored dtypes of the 2-D tensors (matrices, embedding tables), e.g. ["BF16"]. */
  matrixDtypes: string[];
  /** The 2-D tensors in host memory, in their stored dtypes; 0 when they are on the backend. */
  hostWeightBytes: number;
  /** Tensors on the backend, as float32: the vectors, or every tensor when the weights are not on the host. */
  backendWeightBytes: number;
  /** Float32 scratch 16-bit host matrices are widened into, a fixed number of rows per product step. */
  widenScratchBytes: number;
  /**
   * What a gradient pass keeps on the backend besides activations when the sums live there (weights not on the host,
   * or no host kernel): every candidate's float32 sum and the head's transposed copy. 0 when the sums are host arrays.
   */
  gradientSumBytes: number;
  /** The gradient micro-batch: sequences asked for, sequences the backend's limit lets a pass hold, tokens each. */
  microBatch: { rows: number; plannedRows: number; tokens: number };
  /** Peak activations of a gradient pass over one planned micro-batch (an evaluation holds less). */
  activationBytes: number;
  /** Bound on the SVD factors kept per model (float64 U, σ, Vᵀ; agent/work/loaded-model.ts), least recently used out. */
  factorCacheBytes: number;
  /** Bound on the layer cache's hidden states (per job); a budget caps it to what the rest leaves. */
  layerCacheBytes: number;
  /** The sum of the parts above. */
  totalBytes: number;
}

/** A plan checked against a memory budget: its layer cache capped to what the rest leaves. */
export interface BudgetedMemoryPlan extends MemoryPlan {
  budgetBytes: number;
  /** The layer cache bound asked for, before the budget capped it. */
  requestedLayerCacheBytes: number;
}

/** The default bound on a model's SVD factor cache (ShardExecutor `factorCacheBytes`). */
export const DEFAULT_FACTOR_CACHE_BYTES = 2 ** 30;

/** The share of the machine's memory (os.totalmem()) an agent may plan for when no budget is given. */
export const DEFAULT_MEMORY_SHARE = 0.8;

/** The default budget on a machine with `totalBytes` of memory. */
export function defaultMemoryBudgetBytes(totalBytes: number): number {
  return Math.floor(DEFAULT_MEMORY_SHARE * totalBytes);
}

/** Bytes for people: B, KiB, MiB with one decimal, GiB with two. */
export function formatBytes(bytes: number): string {
  const units = [["GiB", 2 ** 30, 2], ["MiB", 2 ** 20, 1], ["KiB", 2 ** 10, 1]] as const;
  for (const [unit, size, digits] of units) if (bytes >= size) return `${(bytes / size).toFixed(digits)} ${unit}`;
  return `${Math.round(bytes)} B`;
}

/** Every part but the layer cache, named with its size: "host weights 1.21 GiB (BF16), backend weights …". */
function fixedParts(plan: MemoryPlan): string {
  const { rows, plannedRows, tokens } = plan.microBatch;
  const batch = plannedRows === rows ? `${rows} × ${tokens} tokens` : `${plannedRows} × ${tokens} tokens, cut from ${rows} by the backend's limit`;
  return [
    `host weights ${formatBytes(plan.hostWeightBytes)}${plan.weightsOnHost && plan.matrixDtypes.length > 0 ? ` (${plan.matrixDtypes.join("/")})` : ""}`,
    `backend weights ${formatBytes(plan.backendWeightBytes)}`,
    `widen scratch ${formatBytes(plan.widenScratchBytes)}`,
    `activations ${formatBytes(plan.activationBytes)} (${batch})`,
    ...(plan.gradientSumBytes > 0 ? [`gradient sums ${formatBytes(plan.gradientSumBytes)}`] : []),
    `SVD factor cache ${formatBytes(plan.factorCacheBytes)}`,
  ].join(", ");
}

/** One line: each part, the layer cache, the total and, for a budgeted plan, the budget. */
export function describeMemoryPlan(plan: MemoryPlan | BudgetedMemoryPlan): string {
  const capped = "requestedLayerCacheBytes" in plan && plan.layerCacheBytes < plan.requestedLayerCacheBytes ? ` (capped from ${formatBytes(plan.requestedLayerCacheBytes)})` : "";
  const budget = "budgetBytes" in plan ? ` of a ${formatBytes(plan.budgetBytes)} budget` : "";
  return `${fixedParts(plan)}, layer cache ${formatBytes(plan.layerCacheBytes)}${capped}; total ${formatBytes(plan.totalBytes)}${budget}`;
}

/**
 * The plan under `budgetBytes`: the layer cache gets min(its bound, what the other parts leave). A plan whose other
 * parts alone exceed the budget is refused (INVALID_ARGUMENT) naming each part and the budget, before anything is
 * loaded. The budget never changes micro-batch sizes: they are part of a job's arithmetic and equal on every agent.
 * `source` says where the budget came from, e.g. "--memory-gib 2".
 */
export function fitMemoryBudget(plan: MemoryPlan, budgetBytes: number, source = "--memory-gib"): BudgetedMemoryPlan {
  const fixed = plan.totalBytes - plan.layerCacheBytes;
  if (fixed > budgetBytes) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `${plan.model}: the memory plan on ${plan.backend} needs ${formatBytes(fixed)} before any layer cache (${fixedParts(plan)}), beyond the ` +
        `${formatBytes(budgetBytes)} memory budget (${source}); raise the budget, run fewer agents on this machine, or use a smaller or 16-bit (BF16/F16) checkpoint`,
    );
  }
  const layerCacheBytes = Math.min(plan.layerCacheBytes, budgetBytes - fixed);
  return { ...plan, layerCacheBytes, totalBytes: fixed + layerCacheBytes, budgetBytes, requestedLayerCacheBytes: plan.layerCacheBytes };
}
