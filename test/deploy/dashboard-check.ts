// Checks one PromQL expression against the series the code registers: unknown metrics and unknown labels.
import { promqlRefs } from "./promql.ts";
import type { SeriesLabels } from "./registered-metrics.ts";

/** Human-readable problems of `expr`; empty when every metric and label it names exists in `series`. */
export function exprProblems(expr: string, series: SeriesLabels): string[] {
  const problems: string[] = [];
  const refs = promqlRefs(expr);
  const available = new Set<string>();
  for (const s of refs.selectors) {
    const labels = series.get(s.metric);
    if (!labels) {
      problems.push(`metric ${s.metric || "(unnamed selector)"} is not registered`);
      continue;
    }
    for (const l of labels) available.add(l);
    for (const l of s.labels) if (!labels.has(l)) problems.push(`metric ${s.metric} has no label ${l} (it has ${[...labels].sort().join(", ")})`);
  }
  for (const l of refs.grouping) if (!available.has(l)) problems.push(`grouping label ${l} is on none of ${refs.selectors.map((s) => s.metric).join(", ")}`);
  if (refs.selectors.length === 0) problems.push("no metric selector");
  return problems;
}
