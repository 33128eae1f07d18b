// Every metric name the agent exports, in one place (dashboards and alerts are checked against this file).
export const agentMetricNames = {
  /** Counter {kind, outcome=ok|error|cancelled}: shards this agent finished. */
  shardsTotal: "c2i_agent_shards_total",
  /** Histogram {kind}: wall time of a shard on this agent, seconds. */
  shardSeconds: "c2i_agent_shard_duration_seconds",
  /** Gauge: shards running or queued on this agent now. */
  shardsInFlight: "c2i_agent_shards_in_flight",
  /** Histogram: SVD time inside score and evaluate shards (the shard's `svd*` timings), seconds. */
  svdSeconds: "c2i_agent_svd_duration_seconds",
  /** Histogram: evaluation time per candidate in evaluate shards, seconds: one observation per evaluation (the baseline's too), at its shard's mean. */
  evaluationSeconds: "c2i_agent_evaluation_duration_seconds",
  /** Gauge: bytes held by tfjs tensors in the compute process. */
  tfjsBytes: "c2i_agent_tfjs_bytes",
  /** Gauge: live tfjs tensors in the compute process. */
  tfjsTensors: "c2i_agent_tfjs_tensors",
  /** Gauge: resident memory of the compute process, bytes. */
  computeRssBytes: "c2i_agent_compute_rss_bytes",
  /** Gauge: bytes of hidden states held by the layer caches of this agent's jobs (bound per job: --layer-cache-mib). */
  layerCacheBytes: "c2i_agent_layer_cache_bytes",
  /** Gauge: evaluation sample sets whose hidden states the layer caches hold now. */
  layerCacheSets: "c2i_agent_layer_cache_sets",
  /** Counter {from=cached|full}: evaluation batches run from a cached layer, or by the full forward. */
  layerCacheBatchesTotal: "c2i_agent_layer_cache_batches_total",
  /** Counter {result=hit|miss}: jobs that found their model loaded (hit) or had to load it (miss). */
  modelLoadsTotal: "c2i_agent_model_loads_total",
  /** Counter {result=hit|miss}: per-(matrix, K) SVD factor lookups answered from the model's cache, or computed. */
  factorLookupsTotal: "c2i_agent_factor_lookups_total",
  /** Gauge: bytes of SVD factors held for the models loaded (shared by every job on a model). */
  factorCacheBytes: "c2i_agent_factor_cache_bytes",
  /** Gauge {state=in_use|idle}: models loaded, and those no job uses now (kept for the next job on them). */
  modelsLoaded: "c2i_agent_models_loaded",
  /**
   * Gauge {model, part}: the memory plan of each loaded model (common/memory-plan.ts), bytes; part is host_weights,
   * backend_weights, widen_scratch, activations, gradient_sums, factor_cache, layer_cache, total or budget. A model's
   * series go when it is freed; none without a budget.
   */
  memoryPlanBytes: "c2i_agent_memory_plan_bytes",
  /** Gauge =1 {agent, backend, svd}: what this agent runs on. */
  info: "c2i_agent_info",
  /** Default process metrics are prefixed with this. */
  processPrefix: "c2i_agent_",
} as const;
