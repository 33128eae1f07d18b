// The cluster at a glance: agents, shard throughput/latency, retries and failures, jobs and phases, coordinator health.
import { dashboard, type Json } from "./panels.ts";

const RI = "$__rate_interval";

export function clusterOverview(): Json {
  return dashboard({
    uid: "c2i-cluster-overview",
    title: "c2i / Cluster overview",
    description: "Coordinator and agents of one c2i cluster: who is up, how fast shards flow, what fails.",
    rows: [
      {
        row: "Agents",
        panels: [
          {
            title: "Agents scraped up", type: "stat", w: 6, h: 6,
            description: "Agent /metrics endpoints Prometheus reaches (scrape job c2i-agent).",
            queries: [{ expr: `sum(up{job="c2i-agent"})`, legend: "up" }],
          },
          {
            title: "Agents by pool state", type: "timeseries", w: 9, h: 6, stack: true,
            description: "Agents the coordinator's pool knows, by state (idle, busy, lost), from heartbeats.",
            queries: [{ expr: `sum by (state) (c2i_coordinator_agents)`, legend: "{{state}}" }],
          },
          {
            title: "Shards in flight", w: 9, h: 6,
            description: "Shards the coordinator has sent and not yet seen finish, next to what the agents report running or queued.",
            queries: [
              { expr: `sum(c2i_coordinator_shards_in_flight)`, legend: "coordinator" },
              { expr: `sum(c2i_agent_shards_in_flight)`, legend: "agents" },
            ],
          },
        ],
      },
      {
        row: "Shards",
        panels: [
          {
            title: "Shard throughput", unit: "ops",
            description: "Shards dispatched per second by kind (every attempt counts), and shards agents finished by outcome.",
            queries: [
              { expr: `sum by (kind) (rate(c2i_coordinator_shards_dispatched_total[${RI}]))`, legend: "dispatched {{kind}}" },
              { expr: `sum by (kind, outcome) (rate(c2i_agent_shards_total[${RI}]))`, legend: "finished {{kind}} {{outcome}}" },
            ],
          },
          {
            title: "Shard latency by kind (p50, p95)", unit: "s",
            description: "Round trip of one shard as the coordinator sees it (dispatch to result), quantiles over all agents.",
            queries: [
              { expr: `histogram_quantile(0.5, sum by (le, kind) (rate(c2i_coordinator_agent_shard_duration_seconds_bucket[${RI}])))`, legend: "p50 {{kind}}" },
              { expr: `histogram_quantile(0.95, sum by (le, kind) (rate(c2i_coordinator_agent_shard_duration_seconds_bucket[${RI}])))`, legend: "p95 {{kind}}" },
            ],
          },
          {
            title: "Shard latency p95 by agent", unit: "s",
            description: "Slow or overloaded agents stand out here.",
            queries: [{ expr: `histogram_quantile(0.95, sum by (le, agent) (rate(c2i_coordinator_agent_shard_duration_seconds_bucket[${RI}])))`, legend: "{{agent}}" }],
          },
          {
            title: "Retries and failures", w: 6,
            description: "Shards retried on another agent and shards that failed for good, per interval, all kinds and causes.",
            queries: [
              { expr: `sum(increase(c2i_coordinator_shards_retried_total[${RI}]))`, legend: "retried" },
              { expr: `sum(increase(c2i_coordinator_shards_failed_total[${RI}]))`, legend: "failed" },
            ],
          },
          {
            title: "Retries and failures by cause", w: 6,
            description: "Retries by shard kind and reason, failures by shard kind and error code, per interval; only causes that occurred (empty while nothing fails).",
            queries: [
              { expr: `sum by (kind, reason) (increase(c2i_coordinator_shards_retried_total[${RI}])) > 0`, legend: "retried {{kind}} ({{reason}})" },
              { expr: `sum by (kind, code) (increase(c2i_coordinator_shards_failed_total[${RI}])) > 0`, legend: "failed {{kind}} ({{code}})" },
            ],
          },
        ],
      },
      {
        row: "Jobs",
        panels: [
          {
            title: "Job phases", type: "state-timeline", w: 24, h: 6,
            description: "The phase each running job is in: one lane per job and phase, filled while the job is in it.",
            queries: [{ expr: `c2i_coordinator_job_phase == 1`, legend: "{{job_id}} {{phase}}" }],
          },
          {
            title: "Jobs by state", stack: true, w: 8,
            description: "Jobs in the store by state.",
            queries: [{ expr: `sum by (state) (c2i_coordinator_jobs)`, legend: "{{state}}" }],
          },
          {
            title: "Shard queue depth", stack: true, w: 8,
            description: "Shards of running jobs' current phases neither finished nor running on an agent, per job: work waiting for agent slots.",
            queries: [{ expr: `sum by (job_id) (c2i_coordinator_shards_pending)`, legend: "{{job_id}}" }],
          },
          {
            title: "Candidates evaluated per job", unit: "ops", w: 8,
            description: "Candidate edits evaluated per second, per job (the baseline not counted).",
            queries: [{ expr: `sum by (job_id) (rate(c2i_coordinator_candidates_evaluated_total[${RI}]))`, legend: "{{job_id}}" }],
          },
          {
            title: "Phases finished", w: 8,
            description: "Phases finished per interval, by phase, across all jobs.",
            queries: [{ expr: `sum by (phase) (increase(c2i_coordinator_phase_duration_seconds_count[${RI}]))`, legend: "{{phase}}" }],
          },
          {
            title: "Phase duration p95", unit: "s", w: 8,
            description: "Wall time of phases by phase name, p95 over the phases finished in the trailing hour (phases are too rare for a short rate window).",
            queries: [{ expr: `histogram_quantile(0.95, sum by (le, phase) (rate(c2i_coordinator_phase_duration_seconds_bucket[1h])))`, legend: "{{phase}}" }],
          },
          {
            title: "Best accuracy of running jobs", unit: "percentunit", min: 0, max: 1, w: 8,
            description: "Best candidate accuracy so far on the selection set, one series per running job (label job_id).",
            queries: [{ expr: `max by (job_id) (c2i_coordinator_best_accuracy)`, legend: "{{job_id}}" }],
          },
        ],
      },
      {
        row: "Coordinator process",
        panels: [
          {
            title: "Coordinator CPU", unit: "percentunit", w: 8,
            description: "CPU seconds per second of the coordinator process (1 = one core).",
            queries: [{ expr: `rate(c2i_coordinator_process_cpu_seconds_total[${RI}])`, legend: "{{instance}}" }],
          },
          {
            title: "Coordinator memory", unit: "bytes", w: 8,
            description: "Resident set and V8 heap in use.",
            queries: [
              { expr: `c2i_coordinator_process_resident_memory_bytes`, legend: "rss {{instance}}" },
              { expr: `c2i_coordinator_nodejs_heap_size_used_bytes`, legend: "heap {{instance}}" },
            ],
          },
          {
            title: "Coordinator event loop lag p99", unit: "s", w: 8,
            description: "High lag delays heartbeats handling and dispatch.",
            queries: [{ expr: `c2i_coordinator_nodejs_eventloop_lag_p99_seconds`, legend: "{{instance}}" }],
          },
        ],
      },
    ],
  });
}
