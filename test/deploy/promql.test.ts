// The PromQL reader behind the dashboard checks: it must see every metric and label a query names, and
// nothing else (functions, keywords, durations, Grafana variables).
import { describe, expect, it } from "vitest";
import { exprProblems } from "./dashboard-check.ts";
import { labelValuesQuery, promqlRefs } from "./promql.ts";

describe("promqlRefs", () => {
  it("finds metrics inside aggregations and functions, with their matcher labels, and grouping labels", () => {
    const r = promqlRefs(`histogram_quantile(0.95, sum by (le, kind) (rate(a_bucket{kind="score", x=~"$v"}[$__rate_interval])))`);
    expect(r.selectors).toEqual([{ metric: "a_bucket", labels: ["kind", "x"] }]);
    expect(r.grouping).toEqual(["le", "kind"]);
  });

  it("reads binary expressions, on/group_left lists, offsets and trailing by clauses", () => {
    const r = promqlRefs(`sum(rate(b_total[5m] offset 1h)) by (job) / on (instance) group_left (agent) c{agent=~"\${agent}"} > 0 and bool d`);
    expect(r.selectors.map((s) => s.metric)).toEqual(["b_total", "c", "d"]);
    expect(r.grouping).toEqual(["job", "instance", "agent"]);
  });

  it("ignores label values, strings, numbers with units and Grafana variables", () => {
    const r = promqlRefs(`up{job="not_a_metric"} * 1e3 + $__range_s + label_replace(e, "dst", "$1", "src", "(.*)")`);
    expect(r.selectors.map((s) => s.metric)).toEqual(["up", "e"]);
  });

  it("parses Grafana label_values variable queries", () => {
    expect(labelValuesQuery("label_values(m{a=\"b\"}, job_id)")).toEqual({ metric: "m", label: "job_id" });
    expect(labelValuesQuery("query_result(m)")).toBeUndefined();
  });
});

describe("exprProblems", () => {
  const series = new Map([["m_total", new Set(["kind", "job", "instance"])], ["h_bucket", new Set(["le", "job", "instance"])]]);

  it("accepts queries naming only registered metrics and labels", () => {
    expect(exprProblems(`sum by (kind) (rate(m_total{kind="x"}[1m]))`, series)).toEqual([]);
    expect(exprProblems(`histogram_quantile(0.5, sum by (le) (rate(h_bucket[1m])))`, series)).toEqual([]);
  });

  it("reports a renamed metric, an unknown matcher label and an unknown grouping label", () => {
    expect(exprProblems(`rate(m[1m])`, series)).toEqual(["metric m is not registered"]);
    expect(exprProblems(`m_total{outcome="ok"}`, series)[0]).toMatch(/has no label outcome/);
    expect(exprProblems(`sum by (agent) (m_total)`, series)).toEqual(["grouping label agent is on none of m_total"]);
  });
});
