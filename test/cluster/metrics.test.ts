// Every metric name declared in the names files is exported by its registry (dashboards rely on them).
import { describe, expect, it } from "vitest";
import { agentMetricNames } from "../../agent/metrics/names.ts";
import { createAgentMetrics } from "../../agent/metrics/registry.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { coordinatorMetricNames } from "../../coordinator/metrics/names.ts";
import { CoordinatorMetrics } from "../../coordinator/metrics/registry.ts";
import { serveMetrics } from "../../common/metrics-http.ts";

function declared(names: Record<string, string>): string[] {
  return Object.entries(names).filter(([k]) => k !== "processPrefix").map(([, v]) => v);
}

describe("metrics", () => {
  it("registers every agent metric name, plus prefixed process metrics", async () => {
    const m = createAgentMetrics();
    const registered = (await m.registry.getMetricsAsJSON()).map((x) => x.name);
    expect(registered).toEqual(expect.arrayContaining(declared(agentMetricNames)));
    expect(registered).toContain(`${agentMetricNames.processPrefix}process_cpu_seconds_total`);
  });

  it("feeds the agent's SVD histogram per shard and the evaluation histogram once per candidate", async () => {
    const m = createAgentMetrics();
    m.observeResult({ kind: "evaluate", shardId: "e", timings: { svdMs: 40, evaluateMs: 300 }, evaluations: [
      { candidate: null, accuracy: 1, loss: 0, n: 1, correct: 1 }, { candidate: { matrix: "w", blocks: 1, rate: 0.5 }, accuracy: 1, loss: 0, n: 1, correct: 1 }] });
    const text = await m.registry.metrics();
    expect(text).toContain(`${agentMetricNames.svdSeconds}_sum 0.04`);
    expect(text).toContain(`${agentMetricNames.svdSeconds}_count 1`);
    expect(text).toContain(`${agentMetricNames.evaluationSeconds}_sum 0.3`);
    expect(text).toContain(`${agentMetricNames.evaluationSeconds}_count 2`);
    expect(text).toContain(`${agentMetricNames.evaluationSeconds}_bucket{le="0.25"} 2`);
  });

  it("starts the agent's shard counters and histograms at zero for every kind and outcome", async () => {
    const text = await createAgentMetrics().registry.metrics();
    for (const kind of ["prepare", "score", "evaluate"]) {
      for (const outcome of ["ok", "error", "cancelled"]) expect(text).toContain(`${agentMetricNames.shardsTotal}{kind="${kind}",outcome="${outcome}"} 0`);
      expect(text).toContain(`${agentMetricNames.shardSeconds}_count{kind="${kind}"} 0`);
    }
  });

  it("starts the coordinator's labelled counters and histograms at zero for known kinds, codes, phases and states", async () => {
    const m = new CoordinatorMetrics();
    try {
      const text = await m.registry.metrics();
      expect(text).toContain('c2i_coordinator_shards_dispatched_total{kind="score"} 0');
      expect(text).toContain('c2i_coordinator_shards_retried_total{kind="evaluate",reason="AGENT_LOST"} 0');
      expect(text).toContain('c2i_coordinator_shards_failed_total{kind="prepare",code="PATH_NOT_ALLOWED"} 0');
      expect(text).toContain('c2i_coordinator_phase_duration_seconds_count{phase="evaluate"} 0');
      expect(text).toContain('c2i_coordinator_jobs{state="queued"} 0');
      // An agent's latency series appear at its first dispatch, before any shard finishes.
      m.dispatched("score", "a9");
      expect(await m.registry.metrics()).toContain('c2i_coordinator_agent_shard_duration_seconds_count{agent="a9",kind="evaluate"} 0');
    } finally {
      m.close();
    }
  });

  it("exports per-job phase, queued shards and candidates evaluated under job_id, and drops them when the job ends", async () => {
    let now = 0;
    const m = new CoordinatorMetrics({ retainFinishedMs: 1000, now: () => now });
    const bus = new MemoryEventBusImpl();
    m.listen(bus);
    try {
      bus.publish("c2i.job.j.state", { state: "running" });
      let text = await m.registry.metrics();
      expect(text).toContain('c2i_coordinator_candidates_evaluated_total{job_id="j"} 0');
      expect(text).toContain('c2i_coordinator_job_phase{job_id="j",phase="prepare"} 0');
      bus.publish("c2i.job.j.phase", { phase: "evaluate", status: "started", shards: 10, reused: 2 });
      bus.publish("c2i.job.j.progress", { phase: "evaluate", done: 4, total: 10 });
      m.jobInFlight("j", 2);
      m.evaluated("j", 3);
      m.evaluated("j", 1);
      text = await m.registry.metrics();
      expect(text).toContain('c2i_coordinator_job_phase{job_id="j",phase="evaluate"} 1');
      expect(text).toContain('c2i_coordinator_job_phase{job_id="j",phase="score"} 0');
      expect(text).toContain('c2i_coordinator_shards_pending{job_id="j"} 4');
      expect(text).toContain('c2i_coordinator_candidates_evaluated_total{job_id="j"} 4');
      m.jobInFlight("j", 0);
      expect(await m.registry.metrics()).toContain('c2i_coordinator_shards_pending{job_id="j"} 6');

      bus.publish("c2i.job.j.state", { state: "failed" });
      text = await m.registry.metrics();
      expect(text).not.toMatch(/c2i_coordinator_(job_phase|shards_pending)\{job_id="j"/);
      // The counter outlives the job long enough for a last scrape, then goes too.
      expect(text).toContain('c2i_coordinator_candidates_evaluated_total{job_id="j"} 4');
      now = 1001;
      expect(await m.registry.metrics()).not.toContain('job_id="j"');
    } finally {
      m.close();
      await bus.close();
    }
  });

  it("registers every coordinator metric name and follows job events and pool reports", async () => {
    const m = new CoordinatorMetrics();
    const bus = new MemoryEventBusImpl();
    m.listen(bus);
    m.dispatched("evaluate");
    m.retried("evaluate", "AGENT_LOST");
    m.finished("evaluate", "a1", 0.5);
    m.agents({ idle: 2, busy: 1, lost: 1 });
    m.countJobs([{ id: "j", spec: {}, state: "running", createdAt: "", updatedAt: "", revision: 1 }]);
    bus.publish("c2i.job.j.phase", { phase: "score", status: "finished", ms: 1500 });
    bus.publish("c2i.job.j.progress", { phase: "evaluate", done: 1, total: 2, best: { accuracy: 0.75 } });
    const registered = (await m.registry.getMetricsAsJSON()).map((x) => x.name);
    expect(registered).toEqual(expect.arrayContaining(declared(coordinatorMetricNames)));
    const server = await serveMetrics(m.registry, "127.0.0.1:0");
    try {
      const text = await (await fetch(`http://${server.address}/metrics`)).text();
      expect(text).toContain('c2i_coordinator_best_accuracy{job_id="j"} 0.75');
      expect(text).toContain('c2i_coordinator_shards_retried_total{kind="evaluate",reason="AGENT_LOST"} 1');
      expect(text).toContain('c2i_coordinator_jobs{state="running"} 1');
      expect(text).toContain('c2i_coordinator_agents{state="lost"} 1');
      expect(text).toContain('c2i_coordinator_phase_duration_seconds_sum{phase="score"} 1.5');
      expect((await fetch(`http://${server.address}/other`)).status).toBe(404);
      // A finished job's per-job gauges go away.
      bus.publish("c2i.job.j.state", { state: "succeeded" });
      expect(await m.registry.metrics()).not.toContain('c2i_coordinator_best_accuracy{job_id="j"}');
    } finally {
      await server.close();
      m.close();
      await bus.close();
    }
  });
});
