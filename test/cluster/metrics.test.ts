// Every metric name declared in the names files is exported by its registry (dashboards rely on them).
import { describe, expect, it } from "vitest";
import { agentMetricNames } from "../../agent/metrics/names.ts";
import { createAgentMetrics } from "../../agent/metrics/registry.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { coordinatorMetricNames } from "../../coordinator/metrics/names.ts";
import { CoordinatorMetrics } from "../../coordinator/metrics/registry.ts";
import { serveMetrics } from "../../coordinator/metrics/http.ts";

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

  it("feeds the agent's SVD and evaluation histograms from shard timings", async () => {
    const m = createAgentMetrics();
    m.observeResult({ kind: "evaluate", shardId: "e", timings: { svdMs: 40, evaluateMs: 300 }, evaluations: [
      { candidate: null, accuracy: 1, loss: 0, n: 1, correct: 1 }, { candidate: null, accuracy: 1, loss: 0, n: 1, correct: 1 }] });
    const text = await m.registry.metrics();
    expect(text).toContain(`${agentMetricNames.svdSeconds}_sum 0.04`);
    expect(text).toContain(`${agentMetricNames.evaluationSeconds}_sum 0.15`);
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
      expect(text).toContain('c2i_coordinator_best_accuracy{job="j"} 0.75');
      expect(text).toContain('c2i_coordinator_shards_retried_total{kind="evaluate",reason="AGENT_LOST"} 1');
      expect(text).toContain('c2i_coordinator_jobs{state="running"} 1');
      expect(text).toContain('c2i_coordinator_agents{state="lost"} 1');
      expect(text).toContain('c2i_coordinator_phase_duration_seconds_sum{phase="score"} 1.5');
      expect((await fetch(`http://${server.address}/other`)).status).toBe(404);
      // A finished job's per-job gauges go away.
      bus.publish("c2i.job.j.state", { state: "succeeded" });
      expect(await m.registry.metrics()).not.toContain('c2i_coordinator_best_accuracy{job="j"}');
    } finally {
      await server.close();
      m.close();
      await bus.close();
    }
  });
});
