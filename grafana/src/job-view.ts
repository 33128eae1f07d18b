// One job (template variable `job`): accuracy against baseline over time, phases, and evaluation progress.
// The coordinator labels per-job gauges `job`; Prometheus keeps its own target label `job`, so the job id
// arrives as `exported_job` (honor_labels: false, the default in the shipped scrape configs).
import { dashboard, type Json } from "./panels.ts";

const RI = "$__rate_interval";
const JOB = `exported_job=~"$job"`;

export function jobView(): Json {
  return dashboard({
    uid: "c2i-job",
    title: "c2i / Job",
    description: "Progress of running c2i jobs: best accuracy so far against the baseline, phases, and evaluation throughput.",
    from: "now-3h",
    variables: [{ name: "job", label: "Job", query: "label_values(c2i_coordinator_best_accuracy, exported_job)" }],
    rows: [
      {
        row: "Accuracy",
        panels: [
          {
            title: "Best accuracy over time", unit: "percentunit", min: 0, max: 1, w: 16,
            description: "Best candidate accuracy so far on the selection set, and the unedited model's (baseline). Series end when the job ends.",
            queries: [
              { expr: `c2i_coordinator_best_accuracy{${JOB}}`, legend: "best {{exported_job}}" },
              { expr: `c2i_coordinator_baseline_accuracy{${JOB}}`, legend: "baseline {{exported_job}}" },
            ],
          },
          {
            title: "Gain over baseline", type: "stat", unit: "percentunit", w: 8,
            description: "Best accuracy minus baseline accuracy, now.",
            queries: [{ expr: `c2i_coordinator_best_accuracy{${JOB}} - c2i_coordinator_baseline_accuracy{${JOB}}`, legend: "{{exported_job}}" }],
          },
        ],
      },
      {
        row: "Phases",
        panels: [
          {
            title: "Phase timeline", type: "state-timeline", w: 24, h: 6,
            description: "Phases finished so far, by phase: a new colour marks a phase ending. Cluster-wide, because the " +
              "coordinator exports phase times without a job label.",
            queries: [{ expr: `sum by (phase) (c2i_coordinator_phase_duration_seconds_count)`, legend: "{{phase}}" }],
          },
          {
            title: "Mean phase duration", type: "bargauge", unit: "s",
            description: "Mean wall time of each phase over all phases finished since the coordinator started.",
            queries: [{
              expr: `sum by (phase) (c2i_coordinator_phase_duration_seconds_sum) / sum by (phase) (c2i_coordinator_phase_duration_seconds_count)`,
              legend: "{{phase}}",
            }],
          },
          {
            title: "Shards dispatched by kind", stack: true,
            description: "Score and evaluate shards sent to agents per interval (retries included).",
            queries: [{ expr: `sum by (kind) (increase(c2i_coordinator_shards_dispatched_total[${RI}]))`, legend: "{{kind}}" }],
          },
        ],
      },
      {
        row: "Candidates",
        panels: [
          {
            title: "Candidates evaluated", type: "stat", w: 8,
            description: "Evaluate shards finished successfully on the agents within the time range (one shard covers one or more candidates).",
            queries: [{ expr: `sum(increase(c2i_agent_shards_total{kind="evaluate", outcome="ok"}[$__range]))`, legend: "evaluate shards" }],
          },
          {
            title: "Evaluation rate", unit: "ops", w: 8,
            description: "Evaluate shards finished per second across agents.",
            queries: [{ expr: `sum(rate(c2i_agent_shards_total{kind="evaluate", outcome="ok"}[${RI}]))`, legend: "evaluate shards/s" }],
          },
          {
            title: "Time per candidate p95", unit: "s", w: 8,
            description: "Evaluation time per candidate inside evaluate shards, and SVD time inside score and evaluate shards.",
            queries: [
              { expr: `histogram_quantile(0.95, sum by (le) (rate(c2i_agent_evaluation_duration_seconds_bucket[${RI}])))`, legend: "evaluation p95" },
              { expr: `histogram_quantile(0.95, sum by (le) (rate(c2i_agent_svd_duration_seconds_bucket[${RI}])))`, legend: "svd p95" },
            ],
          },
        ],
      },
    ],
  });
}
