// One job (template variable `job_id`): phase timeline, accuracy against baseline, queue, and candidates evaluated.
// Per-job series carry `job_id` (not `job`, which Prometheus reserves for the scrape job).
import { dashboard, type Json } from "./panels.ts";

const RI = "$__rate_interval";
const JOB = `job_id=~"$job_id"`;

export function jobView(): Json {
  return dashboard({
    uid: "c2i-job",
    title: "c2i / Job",
    description: "Progress of c2i jobs: the phase each is in, best accuracy so far against the baseline, queued shards, and candidates evaluated.",
    from: "now-3h",
    variables: [{ name: "job_id", label: "Job", query: "label_values(c2i_coordinator_job_phase, job_id)" }],
    rows: [
      {
        row: "Phases",
        panels: [
          {
            title: "Phase timeline", type: "state-timeline", w: 24, h: 6,
            description: "The phase each job is in over time: one lane per job and phase, filled while the job is in that phase. Lanes end when the job ends.",
            queries: [{ expr: `c2i_coordinator_job_phase{${JOB}} == 1`, legend: "{{job_id}} {{phase}}" }],
          },
          {
            title: "Queued shards", w: 8,
            description: "Shards of the job's current phase neither finished nor running on an agent (waiting for a free agent slot or a retry).",
            queries: [{ expr: `c2i_coordinator_shards_pending{${JOB}}`, legend: "{{job_id}}" }],
          },
          {
            title: "Mean phase duration", type: "bargauge", unit: "s", w: 8,
            description: "Mean wall time of each phase over the phases finished in the time range, across all jobs (phase times carry no job label).",
            queries: [{
              expr: `sum by (phase) (increase(c2i_coordinator_phase_duration_seconds_sum[$__range])) / sum by (phase) (increase(c2i_coordinator_phase_duration_seconds_count[$__range]))`,
              legend: "{{phase}}",
            }],
          },
          {
            title: "Shards dispatched by kind", stack: true, w: 8,
            description: "Prepare, score and evaluate shards sent to agents per interval, all jobs (retries included).",
            queries: [{ expr: `sum by (kind) (increase(c2i_coordinator_shards_dispatched_total[${RI}]))`, legend: "{{kind}}" }],
          },
        ],
      },
      {
        row: "Accuracy",
        panels: [
          {
            title: "Best accuracy over time", unit: "percentunit", min: 0, max: 1, w: 16,
            description: "Best candidate accuracy so far on the selection set, and the unedited model's (baseline). Series end when the job ends.",
            queries: [
              { expr: `c2i_coordinator_best_accuracy{${JOB}}`, legend: "best {{job_id}}" },
              { expr: `c2i_coordinator_baseline_accuracy{${JOB}}`, legend: "baseline {{job_id}}" },
            ],
          },
          {
            title: "Gain over baseline", type: "stat", unit: "percentunit", w: 8,
            description: "Best accuracy minus baseline accuracy, now.",
            queries: [{ expr: `c2i_coordinator_best_accuracy{${JOB}} - c2i_coordinator_baseline_accuracy{${JOB}}`, legend: "{{job_id}}" }],
          },
        ],
      },
      {
        row: "Candidates",
        panels: [
          {
            title: "Candidates evaluated", type: "stat", w: 8,
            description: "Candidate edits evaluated for the job (the baseline not counted), as counted since the coordinator started or resumed it.",
            queries: [{ expr: `max by (job_id) (max_over_time(c2i_coordinator_candidates_evaluated_total{${JOB}}[$__range]))`, legend: "{{job_id}}" }],
          },
          {
            title: "Candidate evaluation rate", unit: "ops", w: 8,
            description: "Candidates evaluated per second, per job.",
            queries: [{ expr: `sum by (job_id) (rate(c2i_coordinator_candidates_evaluated_total{${JOB}}[${RI}]))`, legend: "{{job_id}}" }],
          },
          {
            title: "Time per candidate p95", unit: "s", w: 8,
            description: "Evaluation time per candidate inside evaluate shards (each at its shard's mean), and SVD time inside score and evaluate shards; all agents.",
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
