// The shipped Grafana dashboards stay true to the code: every query names metrics and labels the real
// coordinator and agent registries export, GPU panels are marked, and the JSON is what grafana/src builds.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { dashboards, render } from "../../grafana/src/dashboards.ts";
import { DCGM_MARKER } from "../../grafana/src/panels.ts";
import { exprProblems } from "./dashboard-check.ts";
import { dashboardFiles, dashboardPanels, DEPLOY, GRAFANA, k8sDocuments, readYaml } from "./deploy-files.ts";
import { labelValuesQuery, promqlRefs } from "./promql.ts";
import { DCGM_SERIES, registeredSeries, type SeriesLabels } from "./registered-metrics.ts";

let series: SeriesLabels;
beforeAll(async () => {
  series = await registeredSeries();
});

describe("grafana dashboards", () => {
  it("are exactly what grafana/src builds (run npx tsx grafana/build.ts after editing grafana/src)", () => {
    for (const d of dashboards) {
      expect(readFileSync(join(GRAFANA, "dashboards", d.file), "utf8"), d.file).toBe(render(d.build()));
    }
    expect(dashboardFiles().map((f) => f.file).sort()).toEqual(dashboards.map((d) => d.file).sort());
  });

  it("have unique uids, a Prometheus datasource variable, unique panel ids and panels inside the 24-column grid", () => {
    const uids = dashboardFiles().map((f) => f.json.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { file, json } of dashboardFiles()) {
      const vars = json.templating.list as { name: string; type: string; query: unknown }[];
      expect(vars.find((v) => v.name === "datasource"), file).toMatchObject({ type: "datasource", query: "prometheus" });
      const ids = (json.panels as { id: number }[]).map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      for (const p of json.panels as { title: string; gridPos: { x: number; w: number }; datasource?: { uid: string } }[]) {
        expect(p.gridPos.x + p.gridPos.w, `${file} / ${p.title}`).toBeLessThanOrEqual(24);
      }
    }
  });

  it("query only metrics and labels the coordinator and agent register (histogram series and process metrics included)", () => {
    const problems: string[] = [];
    const panels = dashboardPanels();
    expect(panels.length).toBeGreaterThan(20);
    for (const p of panels) {
      expect(p.exprs.length, `${p.dashboard} / ${p.title} has no query`).toBeGreaterThan(0);
      const allowed = p.description.includes(DCGM_MARKER) ? new Map([...series, ...DCGM_SERIES]) : series;
      for (const expr of p.exprs) for (const problem of exprProblems(expr, allowed)) problems.push(`${p.dashboard} / ${p.title}: ${problem}\n    ${expr}`);
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("use DCGM metrics only in panels marked as needing dcgm-exporter, and marked panels only DCGM metrics", () => {
    const dcgm = dashboardPanels().filter((p) => p.exprs.some((e) => promqlRefs(e).selectors.some((s) => s.metric.startsWith("DCGM_"))));
    const marked = dashboardPanels().filter((p) => p.description.includes(DCGM_MARKER));
    expect(dcgm.map((p) => p.title)).toEqual(marked.map((p) => p.title));
    expect(dcgm.some((p) => p.exprs.some((e) => e.includes("DCGM_FI_DEV_GPU_UTIL")))).toBe(true);
    for (const p of marked) for (const e of p.exprs) for (const s of promqlRefs(e).selectors) expect(DCGM_SERIES.has(s.metric), `${p.title}: ${s.metric}`).toBe(true);
  });

  it("take template variable values from registered metrics and labels", () => {
    for (const { file, json } of dashboardFiles()) {
      for (const v of json.templating.list as { name: string; type: string; query: { query: string } }[]) {
        if (v.type !== "query") continue;
        const q = labelValuesQuery(v.query.query);
        expect(q, `${file} variable ${v.name}: ${v.query.query}`).toBeDefined();
        expect(series.get(q!.metric)?.has(q!.label), `${file} variable ${v.name}: ${q!.metric} has no label ${q!.label}`).toBe(true);
      }
    }
    const job = dashboardFiles().find((f) => f.file === "job.json")!.json.templating.list.find((v: { name: string }) => v.name === "job_id");
    expect(job).toBeDefined();
  });

  it("never query a c2i metric's own job or instance label (Prometheus renames those exported_*)", () => {
    const renamed = [...series].filter(([, labels]) => [...labels].some((l) => l.startsWith("exported_"))).map(([name]) => name);
    expect(renamed, "metrics labelled job/instance lose them to the scrape's target labels: use job_id").toEqual([]);
    for (const p of dashboardPanels()) for (const e of p.exprs) expect(e, `${p.dashboard} / ${p.title}`).not.toContain("exported_");
  });

  it("select scrape jobs that the compose and Kubernetes Prometheus configs and the ServiceMonitor define", () => {
    const used = new Set<string>();
    for (const p of dashboardPanels()) for (const e of p.exprs) for (const m of e.matchAll(/\bjob="([^"]+)"/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(0);
    for (const file of ["prometheus/prometheus.yml", "k8s/prometheus/prometheus.yml"]) {
      const jobs = new Set((readYaml(join(DEPLOY, file)).scrape_configs as { job_name: string }[]).map((s) => s.job_name));
      for (const j of used) expect(jobs.has(j), `${file} has no scrape job ${j}`).toBe(true);
    }
    // With the Operator, jobLabel names the Service label whose value becomes `job`.
    const docs = k8sDocuments();
    const monitor = docs.find((d) => d.doc.kind === "ServiceMonitor")!.doc;
    const selected = docs.filter((d) => d.doc.kind === "Service" && Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => d.doc.metadata.labels?.[k] === v));
    const operatorJobs = new Set(selected.map((d) => d.doc.metadata.labels[monitor.spec.jobLabel]));
    for (const j of used) expect(operatorJobs.has(j), `no Service selected by the ServiceMonitor yields job ${j}`).toBe(true);
  });
});
