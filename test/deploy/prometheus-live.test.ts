// Every dashboard panel's query against a real Prometheus that scraped a real coordinator and agent (real
// nats-server, demo model) through a small job: each query is valid, and the panels that a plain job feeds
// return data. The scrape config is the shipped compose one with loopback targets and a 1 s interval.
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemo } from "../../agent/demo/write.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import { DCGM_MARKER } from "../../grafana/src/panels.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { startC2i, type C2iProcess } from "../fixtures/processes.ts";
import { DEPLOY, dashboardFiles, dashboardPanels, readYaml, type Doc } from "./deploy-files.ts";
import { interpolate, type GrafanaVars } from "../../grafana/src/variables.ts";
import { labelValuesQuery } from "./promql.ts";
import { PROMETHEUS_BIN, PrometheusServer, type PromResult } from "./prometheus-server.ts";
import { writePreviews } from "../../tools/preview-dashboards.ts";
import { waitFor } from "./wait.ts";

const TOKEN = "deploy-test-token";
/** The cluster test's small demo search: a few seconds on one agent. */
const SETTINGS = { adaptSize: 60, testSize: 60, blockCounts: [1, 4], topM: 2, rates: [0.2, 0.6, 0.9, 0.99], evaluateShardSize: 1, sampleShardSize: 32 };
/** Panels that only faults feed (a plain job retries and fails nothing), and GPU panels (no dcgm-exporter here). */
const EVENT_ONLY = new Set(["Retries and failures by cause"]);

/** The shipped compose scrape config, its c2i jobs pointed at loopback targets, scraping every second. */
function scrapeConfig(coordinatorMetrics: string, agentMetrics: string): object {
  const shipped = readYaml(join(DEPLOY, "prometheus/prometheus.yml"));
  const targets: Record<string, string> = { "c2i-coordinator": coordinatorMetrics, "c2i-agent": agentMetrics };
  const jobs: Doc[] = (shipped.scrape_configs as Doc[]).filter((j) => j.job_name in targets).map((j): Doc => {
    const { dns_sd_configs: _dns, static_configs: _static, ...rest } = j;
    return { ...rest, static_configs: [{ targets: [targets[j.job_name]] }] };
  });
  expect(jobs.map((j) => j.job_name).sort()).toEqual(Object.keys(targets).sort());
  return { global: { ...shipped.global, scrape_interval: "1s", scrape_timeout: "1s" }, scrape_configs: jobs };
}

const hasData = (r: { data?: { result: unknown[] } }) => (r.data?.result.length ?? 0) > 0;
/** At least one finite sample (histogram_quantile over zero rates yields NaN: a series, but nothing to draw). */
const hasValues = (r: PromResult) => (r.data?.result ?? []).some((s) => (s.values ?? (s.value ? [s.value] : [])).some(([, v]) => Number.isFinite(Number(v))));

describe.skipIf(!NATS_SERVER_BIN || !PROMETHEUS_BIN)("dashboards on a real Prometheus scraping a real cluster", () => {
  let nats: NatsServer;
  let root: string;
  let agent: C2iProcess;
  let coordinator: C2iProcess;
  let client: CoordinatorClient;
  let prometheus: PrometheusServer;
  let jobId: string;
  let start: number;
  let end: number;
  let vars: GrafanaVars;

  beforeAll(async () => {
    nats = await NatsServer.start();
    root = realpathSync(mkdtempSync(join(tmpdir(), "c2i-deploy-")));
    const demo = ensureDemo(join(root, "cache"));
    [agent, coordinator] = await Promise.all([
      startC2i(["agent", "--nats", nats.url, "--roots", root, "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--id", "prom-agent", "--heartbeat-ms", "200", "--token", TOKEN]),
      // Agents are never declared lost while the test holds one stopped (below).
      startC2i(["coordinator", "--nats", nats.url, "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--token", TOKEN, "--lost-after-ms", "120000"]),
    ]);
    start = Date.now() / 1000;
    prometheus = await PrometheusServer.start(scrapeConfig(String(coordinator.ready.metrics), String(agent.ready.metrics)));
    client = new CoordinatorClient(String(coordinator.ready.listening), { token: TOKEN });
    await waitFor("the agent to join the pool", async () => (await client.agents()).filter((a) => a.state !== "lost").length, (n) => n === 1);
    await waitFor("Prometheus to scrape both targets", async () => (await prometheus.query(`sum(up{job=~"c2i-coordinator|c2i-agent"})`)).data?.result[0]?.value?.[1], (v) => v === "2");

    // Rates need a scrape before the job's counters move: hold the agent (SIGSTOP) from submission until
    // Prometheus has scraped the job's zeroed counters and the agent's zeroed latency series; on a quiet
    // machine the whole job otherwise fits between two scrapes.
    agent.child.kill("SIGSTOP");
    let job;
    try {
      job = await client.submit({ model: demo.model, dataset: demo.dataset, settings: SETTINGS });
      const id = job.id;
      await waitFor("a scrape of the new job's zeroed counter", () => prometheus.query(`c2i_coordinator_candidates_evaluated_total{job_id="${id}"}`), hasData);
      await waitFor("a scrape of the agent's zeroed latency series", () => prometheus.query(`c2i_coordinator_agent_shard_duration_seconds_count{agent="prom-agent"}`), hasData);
    } finally {
      agent.child.kill("SIGCONT");
    }
    jobId = job.id;
    // The per-job gauges live only while the job runs: once one is set, hold the agent again until
    // Prometheus has scraped it, so the job view has data whatever the machine's speed.
    let held = false;
    for await (const e of client.watch(job.id)) {
      const best = (e.data.best as { accuracy?: unknown } | undefined)?.accuracy;
      if (!held && e.event === "progress" && typeof best === "number") {
        held = true;
        agent.child.kill("SIGSTOP");
        try {
          await waitFor("a scrape of the running job's best accuracy", () => prometheus.query(`c2i_coordinator_best_accuracy{job_id="${job.id}"}`), hasData);
        } finally {
          agent.child.kill("SIGCONT");
        }
      }
    }
    expect(held, "the job reported a best accuracy while running").toBe(true);
    expect((await client.get(job.id)).state).toBe("succeeded");
    // Wait for a scrape after the end, so the finished job's counters and states are in the TSDB.
    await waitFor("a scrape after the job ended", async () => (await prometheus.query(`c2i_coordinator_jobs{state="succeeded"}`)).data?.result[0]?.value?.[1], (v) => v === "1");
    await waitFor("a scrape of the job's final candidate count", async () => (await prometheus.query(`c2i_coordinator_candidates_evaluated_total{job_id="${job.id}"}`)).data?.result[0]?.value?.[1], (v) => Number(v) > 0);
    end = Date.now() / 1000;
    const range = `${Math.ceil(end - start) + 5}s`;
    vars = { rateInterval: "10s", range, interval: "1s", vars: { job_id: jobId, agent: ".*" } };
  });

  afterAll(async () => {
    client?.close();
    await prometheus?.stop();
    await coordinator?.stop();
    if (agent) {
      agent.child.kill("SIGCONT");
      await agent.stop();
    }
    await nats?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("runs every panel query of every dashboard without error, as range and as instant query", async () => {
    const errors: string[] = [];
    for (const p of dashboardPanels()) {
      for (const expr of p.exprs) {
        const q = interpolate(expr, vars);
        for (const r of [await prometheus.queryRange(q, start, end), await prometheus.query(q, end)]) {
          if (r.status !== "success") errors.push(`${p.dashboard} / ${p.title}: ${r.errorType}: ${r.error}\n    ${q}`);
        }
      }
    }
    expect(errors, errors.join("\n")).toEqual([]);
  });

  it("returns data for every panel a plain job feeds (all but fault-only and GPU panels)", async () => {
    const empty: string[] = [];
    for (const p of dashboardPanels()) {
      if (EVENT_ONLY.has(p.title) || p.description.includes(DCGM_MARKER)) continue;
      for (const expr of p.exprs) {
        const q = interpolate(expr, vars);
        if (!hasValues(await prometheus.queryRange(q, start, end))) empty.push(`${p.dashboard} / ${p.title}: ${q}`);
      }
    }
    expect(empty, `queries without data:\n${empty.join("\n")}`).toEqual([]);
  });

  it("shows the job's best accuracy over time and lists the job in the job variable", async () => {
    const best = await prometheus.queryRange(interpolate(`c2i_coordinator_best_accuracy{job_id=~"$job_id"}`, vars), start, end);
    const values = best.data!.result[0]!.values!.map(([, v]) => Number(v));
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
    const variable = dashboardFiles().find((f) => f.file === "job.json")!.json.templating.list.find((v: Doc) => v.name === "job_id");
    const q = labelValuesQuery(variable.query.query)!;
    const listed = await prometheus.api(`label/${q.label}/values`, { "match[]": q.metric, start: String(start), end: String(end) });
    expect(listed.data as unknown as string[]).toContain(jobId);
  });

  it("records the job's phases and counts its evaluated candidates under job_id", async () => {
    const range = vars.range;
    const phases = await prometheus.query(`max by (phase) (max_over_time(c2i_coordinator_job_phase{job_id="${jobId}"}[${range}]))`, end);
    const entered = Object.fromEntries((phases.data?.result ?? []).map((r) => [r.metric.phase, r.value?.[1]]));
    // The agent was held during the evaluate phase, so a scrape saw it; shorter phases may fall between scrapes.
    expect(entered.evaluate).toBe("1");
    expect(Object.keys(entered)).toEqual(expect.arrayContaining(["prepare", "baseline", "score", "evaluate", "finalize"]));
    const counted = await prometheus.query(`max_over_time(c2i_coordinator_candidates_evaluated_total{job_id="${jobId}"}[${range}])`, end);
    const result = (await client.get(jobId)).result as { candidates: unknown[] };
    expect(result.candidates.length).toBeGreaterThan(0);
    // Every candidate row was evaluated on an agent (the finalize phase may evaluate the chosen one again).
    expect(Number(counted.data?.result[0]?.value?.[1])).toBeGreaterThanOrEqual(result.candidates.length);
  });

  it("leaves GPU panels valid but empty where no dcgm-exporter is scraped", async () => {
    const gpu = dashboardPanels().filter((p) => p.description.includes(DCGM_MARKER));
    expect(gpu.length).toBeGreaterThan(0);
    for (const p of gpu) for (const e of p.exprs) expect(hasData(await prometheus.queryRange(interpolate(e, vars), start, end)), p.title).toBe(false);
  });

  it("renders a static HTML preview of every dashboard from the same data (tools/preview-dashboards.ts)", async () => {
    const out = join(root, "preview");
    const paths = await writePreviews({ prometheus: prometheus.url, out, rangeSeconds: Math.ceil(Date.now() / 1000 - start) + 5, vars: { job_id: jobId } });
    expect(paths.map((p) => p.split("/").at(-1)).sort()).toEqual(["agent-resources.html", "cluster-overview.html", "index.html", "job.html"]);
    const panels = dashboardPanels();
    for (const file of ["agent-resources", "cluster-overview", "job"]) {
      const html = readFileSync(join(out, `${file}.html`), "utf8");
      const mine = panels.filter((p) => p.dashboard === `${file}.json`);
      for (const p of mine) expect(html, `${file}: ${p.title}`).toContain(`<h3>${p.title}</h3>`);
      expect(html).not.toContain('class="error"');
      const expectedEmpty = mine.filter((p) => EVENT_ONLY.has(p.title) || p.description.includes(DCGM_MARKER)).length;
      expect(html.split('class="empty"').length - 1, file).toBe(expectedEmpty);
    }
  });
});
