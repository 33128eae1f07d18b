// `npx tsx tools/preview-dashboards.ts --prometheus URL --out DIR`: static HTML previews of the Grafana
// dashboards drawn from a live Prometheus, for reviews and machines without Grafana.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { dashboards } from "../grafana/src/dashboards.ts";
import { renderDashboard, type RangeQuery, type Series } from "../grafana/src/preview.ts";
import type { GrafanaVars } from "../grafana/src/variables.ts";

export interface PreviewOptions {
  /** Prometheus base URL. @default "http://127.0.0.1:9090" */
  prometheus: string;
  /** Output directory. @default "grafana-preview" */
  out: string;
  /** Time range ending now, seconds. @default 3600 */
  rangeSeconds: number;
  /** Template variable values (regexes); unset ones match everything. @default {} */
  vars: Record<string, string>;
}

/** A RangeQuery over Prometheus's HTTP API from `start` to `end` (unix seconds). */
export function prometheusRangeQuery(base: string, start: number, end: number): RangeQuery {
  const step = Math.max(1, Math.round((end - start) / 300));
  return async (expr) => {
    const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
    const body = (await (await fetch(`${base}/api/v1/query_range?${params}`)).json()) as { status: string; error?: string; data?: { result: Series[] } };
    if (body.status !== "success") throw new Error(`${body.error ?? "query failed"} (${expr})`);
    return body.data!.result;
  };
}

/** Writes one HTML file per dashboard and an index; returns the paths written. */
export async function writePreviews(o: PreviewOptions): Promise<string[]> {
  const end = Date.now() / 1000;
  const start = end - o.rangeSeconds;
  const query = prometheusRangeQuery(o.prometheus.replace(/\/$/, ""), start, end);
  const vars: GrafanaVars = { rateInterval: "1m", range: `${o.rangeSeconds}s`, interval: "15s", vars: { job_id: ".*", agent: ".*", ...o.vars } };
  mkdirSync(o.out, { recursive: true });
  const written: string[] = [];
  for (const d of dashboards) {
    const path = join(o.out, d.file.replace(/\.json$/, ".html"));
    writeFileSync(path, await renderDashboard(d.build(), query, vars));
    written.push(path);
  }
  const index = join(o.out, "index.html");
  writeFileSync(index, `<!doctype html><meta charset="utf-8"><title>c2i dashboards</title><ul>${written.map((p) => `<li><a href="${p.split("/").at(-1)}">${p.split("/").at(-1)}</a></li>`).join("")}</ul>`);
  return [...written, index];
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { prometheus: { type: "string" }, out: { type: "string" }, range: { type: "string" }, var: { type: "string", multiple: true } },
  });
  const vars: Record<string, string> = {};
  for (const kv of values.var ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new Error(`--var expects NAME=VALUE, got "${kv}"`);
    vars[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const rangeSeconds = Number(values.range ?? 3600);
  if (!Number.isFinite(rangeSeconds) || rangeSeconds <= 0) throw new Error(`--range expects seconds, got "${values.range}"`);
  const paths = await writePreviews({ prometheus: values.prometheus ?? "http://127.0.0.1:9090", out: resolve(values.out ?? "grafana-preview"), rangeSeconds, vars });
  process.stdout.write(paths.map((p) => `wrote ${p}`).join("\n") + "\n");
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`preview-dashboards: ${e.message}\n`);
    return 2;
  });
}
