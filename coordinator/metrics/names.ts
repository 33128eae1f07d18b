// Every metric name the coordinator exports, in one place (dashboards and alerts are checked against this file).
// Per-job series carry `job_id`, never `job`: Prometheus reserves `job` for the scrape job (it would become `exported_job`).
export const coordinatorMetricNames = {
  /** Gauge {state}: jobs in the store by state. */
  jobs: "c2i_coordinator_jobs",
  /** Histogram {phase}: wall time of a finished phase, seconds. */
  phaseSeconds: "c2i_coordinator_phase_duration_seconds",
  /** Counter {kind}: shards sent to an agent (each attempt counts). */
  shardsDispatched: "c2i_coordinator_shards_dispatched_total",
  /** Counter {kind, reason}: shards retried on another agent. */
  shardsRetried: "c2i_coordinator_shards_retried_total",
  /** Counter {kind, code}: shards that failed for good. */
  shardsFailed: "c2i_coordinator_shards_failed_total",
  /** Gauge: shards running on agents now. */
  shardsInFlight: "c2i_coordinator_shards_in_flight",
  /** Gauge {state=idle|busy|lost}: agents known to the pool. */
  agents: "c2i_coordinator_agents",
  /** Histogram {agent, kind}: shard round trip per agent as the coordinator sees it, seconds. */
  agentShardSeconds: "c2i_coordinator_agent_shard_duration_seconds",
  /** Gauge {job_id}: best candidate accuracy so far of a running job (selection set). */
  bestAccuracy: "c2i_coordinator_best_accuracy",
  /** Gauge {job_id}: baseline accuracy of a running job (selection set). */
  baselineAccuracy: "c2i_coordinator_baseline_accuracy",
  /** Gauge {job_id, phase}: 1 for the phase a running job is in, 0 for its other phases; gone when the job ends. */
  jobPhase: "c2i_coordinator_job_phase",
  /** Counter {job_id}: candidates (edits, not the baseline) evaluated for a job by this coordinator; kept a while after the job ends. */
  candidatesEvaluated: "c2i_coordinator_candidates_evaluated_total",
  /** Gauge {job_id}: shards of a running job's current phase neither finished nor running on an agent (queued). */
  shardsPending: "c2i_coordinator_shards_pending",
  /** Default process metrics are prefixed with this. */
  processPrefix: "c2i_coordinator_",
} as const;
