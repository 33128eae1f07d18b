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
            title: "Retries and failures",
            description: "Shards retried on another agent (by reason) and shards that failed for good (by error code), per interval.",
            queries: [
              { expr: `sum by (kind, reason) (increase(c2i_coordinator_shards_retried_total[${RI}]))`, legend: "retried {{kind}} ({{reason}})" },
              { expr: `sum by (kind, code) (increase(c2i_coordinator_shards_failed_total[${RI}]))`, legend: "failed {{kind}} ({{code}})" },
            ],
          },
        ],
      },
      {
        row: "Jobs",
        panels: [
          {
            title: "Jobs by state", stack: true,
            description: "Jobs in the store by state; queued jobs wait for agents (the queue depth).",
            queries: [{ expr: `sum by (state) (c2i_coordinator_jobs)`, legend: "{{state}}" }],
          },
          {
            title: "Phases finished",
            description: "Phases finished since the coordinator started, by phase, across all jobs: each step is a phase ending. " +
              "(A cumulative count, not increase(): a phase's series appears at its first finish, which increase() cannot see.)",
            queries: [{ expr: `sum by (phase) (c2i_coordinator_phase_duration_seconds_count)`, legend: "{{phase}}" }],
          },
          {
            title: "Phase duration p95", unit: "s",
            description: "Wall time of finished phases by phase name, over all phases since the coordinator started " +
              "(cumulative buckets rather than rate(), which cannot see a phase's first finish).",
            queries: [{ expr: `histogram_quantile(0.95, sum by (le, phase) (c2i_coordinator_phase_duration_seconds_bucket))`, legend: "{{phase}}" }],
          },
          {
            title: "Best accuracy of running jobs", unit: "percentunit", min: 0, max: 1,
            description: "Best candidate accuracy so far on the selection set, one series per running job (the job's id).",
            queries: [{ expr: `max by (exported_job) (c2i_coordinator_best_accuracy)`, legend: "{{exported_job}}" }],
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
