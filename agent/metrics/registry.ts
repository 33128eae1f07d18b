// The agent's Prometheus registry and instruments: one Registry per agent, injected, never global.
// Labelled counters and histograms start at zero for every known label value, so rate()/increase() see the first shard.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { LayerCacheCounts, SharedWorkCounts } from "../../common/local-agent-protocol.ts";
import type { BudgetedMemoryPlan } from "../../common/memory-plan.ts";
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import type { ShardResult } from "../../common/shards.ts";
import { agentMetricNames as n } from "./names.ts";
import { SHARD_KINDS } from "../../common/shards.ts";

/** Shard-scale buckets: 10 ms … ~20 min. */
const SHARD_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200];
const FAST_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const OUTCOMES = ["ok", "error", "cancelled"] as const;
const LAYER_CACHE_FROM = ["cached", "full"] as const;
const LOOKUP_RESULTS = ["hit", "miss"] as const;
const MODEL_STATES = ["in_use", "idle"] as const;
/** The `part` label of c2i_agent_memory_plan_bytes → the plan's field. */
const PLAN_PARTS = {
  host_weights: "hostWeightBytes",
  backend_weights: "backendWeightBytes",
  widen_scratch: "widenScratchBytes",
  activations: "activationBytes",
  gradient_sums: "gradientSumBytes",
  factor_cache: "factorCacheBytes",
  layer_cache: "layerCacheBytes",
  total: "totalBytes",
  budget: "budgetBytes",
} as const satisfies Record<string, keyof BudgetedMemoryPlan>;

export interface AgentMetrics {
  registry: Registry;
  shardsTotal: Counter<"kind" | "outcome">;
  shardSeconds: Histogram<"kind">;
  shardsInFlight: Gauge;
  svdSeconds: Histogram;
  evaluationSeconds: Histogram;
  tfjsBytes: Gauge;
  tfjsTensors: Gauge;
  computeRssBytes: Gauge;
  info: Gauge<"agent" | "backend" | "svd">;
  layerCacheBytes: Gauge;
  layerCacheSets: Gauge;
  layerCacheBatches: Counter<"from">;
  modelLoads: Counter<"result">;
  factorLookups: Counter<"result">;
  factorCacheBytes: Gauge;
  modelsLoaded: Gauge<"state">;
  memoryPlanBytes: Gauge<"model" | "part">;
  /** Sets one series per part of each plan (models named as the coordinator names them); freed models' series go. */
  observeMemoryPlans(report: MemoryBudgetReport | undefined): void;
  /** Sets the shared-work gauges and advances its counters from the compute process's totals, as observeLayerCache. */
  observeSharedWork(counts: SharedWorkCounts): void;
  /**
   * Sets the layer-cache gauges and advances the batch counters from the compute process's totals
   * (`LayerCacheCounts`). A total lower than the last one means the compute process restarted: it counts from 0 again.
   */
  observeLayerCache(counts: LayerCacheCounts): void;
  /**
   * Feeds the SVD/evaluation histograms from a finished shard's timings (`svdMs`, `evaluateMs`: milliseconds).
   * Evaluation time is observed once per evaluation in the shard (its count counts candidates); a shard only
   * reports its total, so each of its evaluations is observed at the shard's mean.
   */
  observeResult(result: ShardResult): void;
}

export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: n.processPrefix });
  const r = [registry];
  const m: Omit<AgentMetrics, "observeResult" | "observeLayerCache" | "observeSharedWork" | "observeMemoryPlans"> = {
    registry,
    shardsTotal: new Counter({ name: n.shardsTotal, help: "Shards finished on this agent", labelNames: ["kind", "outcome"], registers: r }),
    shardSeconds: new Histogram({ name: n.shardSeconds, help: "Shard wall time on this agent (s)", labelNames: ["kind"], buckets: SHARD_BUCKETS, registers: r }),
    shardsInFlight: new Gauge({ name: n.shardsInFlight, help: "Shards running or queued on this agent", registers: r }),
    svdSeconds: new Histogram({ name: n.svdSeconds, help: "SVD time within shards (s)", buckets: FAST_BUCKETS, registers: r }),
    evaluationSeconds: new Histogram({ name: n.evaluationSeconds, help: "Evaluation time per candidate (s; one observation per evaluation, at its shard's mean)", buckets: FAST_BUCKETS, registers: r }),
    tfjsBytes: new Gauge({ name: n.tfjsBytes, help: "Bytes held by tfjs tensors in the compute process", registers: r }),
    tfjsTensors: new Gauge({ name: n.tfjsTensors, help: "Live tfjs tensors in the compute process", registers: r }),
    computeRssBytes: new Gauge({ name: n.computeRssBytes, help: "Resident memory of the compute process (bytes)", registers: r }),
    info: new Gauge({ name: n.info, help: "Backend and SVD of this agent (value 1)", labelNames: ["agent", "backend", "svd"], registers: r }),
    layerCacheBytes: new Gauge({ name: n.layerCacheBytes, help: "Bytes of hidden states held by the layer caches of this agent's jobs", registers: r }),
    layerCacheSets: new Gauge({ name: n.layerCacheSets, help: "Evaluation sample sets held by the layer caches", registers: r }),
    layerCacheBatches: new Counter({ name: n.layerCacheBatchesTotal, help: "Evaluation batches run from a cached layer (from=cached) or by the full forward (from=full)", labelNames: ["from"], registers: r }),
    modelLoads: new Counter({ name: n.modelLoadsTotal, help: "Jobs that found their model loaded (hit) or loaded it (miss)", labelNames: ["result"], registers: r }),
    factorLookups: new Counter({ name: n.factorLookupsTotal, help: "SVD factor lookups per (matrix, K): from the model's cache (hit) or computed (miss)", labelNames: ["result"], registers: r }),
    factorCacheBytes: new Gauge({ name: n.factorCacheBytes, help: "Bytes of SVD factors held for the loaded models", registers: r }),
    modelsLoaded: new Gauge({ name: n.modelsLoaded, help: "Models loaded (state=in_use) and kept with no job using them (state=idle)", labelNames: ["state"], registers: r }),
    memoryPlanBytes: new Gauge({ name: n.memoryPlanBytes, help: "Memory plan of each loaded model by part, and the budget it was checked against (bytes)", labelNames: ["model", "part"], registers: r }),
  };
  for (const result of LOOKUP_RESULTS) {
    m.modelLoads.inc({ result }, 0);
    m.factorLookups.inc({ result }, 0);
  }
  for (const state of MODEL_STATES) m.modelsLoaded.set({ state }, 0);
  const shared = { modelHits: 0, modelMisses: 0, factorHits: 0, factorMisses: 0 };
  /** Adds what a compute-process total grew by; a smaller total means the process restarted and counts from 0. */
  const advance = (counter: Counter<"result">, result: "hit" | "miss", key: keyof typeof shared, total: number) => {
    const delta = total >= shared[key] ? total - shared[key] : total;
    if (delta > 0) counter.inc({ result }, delta);
    shared[key] = total;
  };
  for (const from of LAYER_CACHE_FROM) m.layerCacheBatches.inc({ from }, 0);
  const seen = { cached: 0, full: 0 };
  for (const kind of SHARD_KINDS) {
    m.shardSeconds.zero({ kind });
    for (const outcome of OUTCOMES) m.shardsTotal.inc({ kind, outcome }, 0);
  }
  return {
    ...m,
    observeLayerCache(counts) {
      m.layerCacheBytes.set(counts.bytes);
      m.layerCacheSets.set(counts.sets);
      const totals = { cached: counts.partial, full: counts.full };
      for (const from of LAYER_CACHE_FROM) {
        const delta = totals[from] >= seen[from] ? totals[from] - seen[from] : totals[from];
        if (delta > 0) m.layerCacheBatches.inc({ from }, delta);
        seen[from] = totals[from];
      }
    },
    observeSharedWork(c) {
      advance(m.modelLoads, "hit", "modelHits", c.modelHits);
      advance(m.modelLoads, "miss", "modelMisses", c.modelMisses);
      advance(m.factorLookups, "hit", "factorHits", c.factorHits);
      advance(m.factorLookups, "miss", "factorMisses", c.factorMisses);
      m.factorCacheBytes.set(c.factorBytes);
      m.modelsLoaded.set({ state: "in_use" }, c.models - c.idleModels);
      m.modelsLoaded.set({ state: "idle" }, c.idleModels);
    },
    observeMemoryPlans(report) {
      m.memoryPlanBytes.reset();
      for (const plan of report?.plans ?? []) {
        for (const [part, field] of Object.entries(PLAN_PARTS)) m.memoryPlanBytes.set({ model: plan.model, part }, plan[field]);
      }
    },
    observeResult(result) {
      for (const [key, ms] of Object.entries(result.timings)) {
        if (/svd/i.test(key) && Number.isFinite(ms)) m.svdSeconds.observe(ms / 1000);
      }
      if (result.kind === "evaluate" && result.evaluations.length > 0) {
        const total = result.timings.evaluateMs;
        if (total !== undefined && Number.isFinite(total)) {
          const each = total / 1000 / result.evaluations.length;
          for (let i = 0; i < result.evaluations.length; i++) m.evaluationSeconds.observe(each);
        }
      }
    },
  };
}
