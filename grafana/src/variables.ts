// Grafana's query-time substitutions, so a dashboard query can be sent to Prometheus as Grafana would send it
// (used by the dashboard integration test and tools/preview-dashboards.ts).
export interface GrafanaVars {
  /** $__rate_interval, e.g. "10s". */
  rateInterval: string;
  /** $__range, e.g. "300s". */
  range: string;
  /** $__interval, e.g. "1s". */
  interval: string;
  /** Template variables by name; multi-value ones as a regex ("a|b" or ".*"). */
  vars: Record<string, string>;
}

export function interpolate(expr: string, v: GrafanaVars): string {
  const seconds = String(Number.parseInt(v.range, 10));
  return expr
    .replaceAll("$__rate_interval", v.rateInterval)
    .replaceAll("$__range_s", seconds)
    .replaceAll("$__range", v.range)
    .replaceAll("$__interval", v.interval)
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (all, a?: string, b?: string, c?: string) => {
      const name = (a ?? b ?? c)!;
      if (!(name in v.vars)) throw new Error(`no value for Grafana variable ${all} in ${expr}`);
      return v.vars[name]!;
    });
}
