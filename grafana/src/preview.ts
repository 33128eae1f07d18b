// Static HTML preview of a dashboard: each panel drawn from Prometheus range-query results (no Grafana needed).
import { esc, fmt, scale, ticks } from "../../coordinator/report/svg.ts";
import { interpolate, type GrafanaVars } from "./variables.ts";
import type { Json } from "./panels.ts";

export interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

/** Runs one range query (the expression already interpolated); throws with Prometheus's error. */
export type RangeQuery = (expr: string) => Promise<Series[]>;

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const W = 560;
const H = 200;

function legend(template: string, metric: Record<string, string>): string {
  if (!template) return Object.entries(metric).map(([k, v]) => `${k}="${v}"`).join(", ") || "value";
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? "");
}

/** A value with the panel's Grafana unit, coarsely (bytes, seconds, percent, ratio). */
export function formatValue(x: number, unit: string): string {
  if (!Number.isFinite(x)) return "–";
  if (unit === "bytes") {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (Math.abs(x) >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${fmt(x)} ${units[i]}`;
  }
  if (unit === "percentunit") return `${fmt(100 * x)}%`;
  if (unit === "percent") return `${fmt(x)}%`;
  if (unit === "s") return x < 1 ? `${fmt(1000 * x)} ms` : `${fmt(x)} s`;
  if (unit === "ops") return `${fmt(x)}/s`;
  return fmt(x);
}

interface Line {
  name: string;
  points: [number, number][];
}

function chart(lines: Line[], unit: string): string {
  const all = lines.flatMap((l) => l.points);
  if (all.length === 0) return `<p class="empty">no data</p>`;
  const [t0, t1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [v0, v1] = [Math.min(0, ...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const x = scale(t0, t1, 60, W - 10);
  const y = scale(v0, v1 > v0 ? v1 : v0 + 1, H - 20, 10);
  const grid = ticks(v0, v1 > v0 ? v1 : v0 + 1, 4)
    .map((v) => `<line x1="60" x2="${W - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="56" y="${y(v) + 4}" text-anchor="end">${esc(formatValue(v, unit))}</text>`)
    .join("");
  const paths = lines
    .map((l, i) => `<polyline fill="none" stroke="${PALETTE[i % PALETTE.length]}" stroke-width="1.5" points="${l.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>`)
    .join("");
  const keys = lines.map((l, i) => `<li><span style="background:${PALETTE[i % PALETTE.length]}"></span>${esc(l.name)}</li>`).join("");
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${grid}${paths}</svg><ul class="legend">${keys}</ul>`;
}

function lastValues(lines: Line[], unit: string): string {
  if (lines.length === 0) return `<p class="empty">no data</p>`;
  return `<table>${lines.map((l) => `<tr><td>${esc(l.name)}</td><td class="num">${esc(formatValue(l.points.at(-1)?.[1] ?? NaN, unit))}</td></tr>`).join("")}</table>`;
}

async function renderPanel(panel: Json, query: RangeQuery, vars: GrafanaVars): Promise<string> {
  const unit = String((panel.fieldConfig as { defaults?: { unit?: string } })?.defaults?.unit ?? "short");
  const lines: Line[] = [];
  const errors: string[] = [];
  for (const t of (panel.targets ?? []) as { expr: string; legendFormat?: string }[]) {
    try {
      for (const s of await query(interpolate(t.expr, vars))) {
        const points = s.values.map(([ts, v]) => [ts, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v));
        if (points.length > 0) lines.push({ name: legend(t.legendFormat ?? "", s.metric), points });
      }
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const body = errors.length > 0
    ? `<p class="error">${esc(errors.join("; "))}</p>`
    : ["stat", "table", "bargauge"].includes(String(panel.type)) ? lastValues(lines, unit) : chart(lines, unit);
  return `<section class="panel"><h3>${esc(String(panel.title))}</h3><p class="desc">${esc(String(panel.description ?? ""))}</p>${body}</section>`;
}

/** The whole dashboard as one self-contained HTML page, rows as headings. */
export async function renderDashboard(dashboard: Json, query: RangeQuery, vars: GrafanaVars): Promise<string> {
  const parts: string[] = [];
  for (const p of dashboard.panels as Json[]) {
    if (p.type === "row") parts.push(`<h2>${esc(String(p.title))}</h2>`);
    else parts.push(await renderPanel(p, query, vars));
  }
  const title = esc(String(dashboard.title));
  return `<!doctype html><meta charset="utf-8"><title>${title}</title>
<style>body{font:13px system-ui,sans-serif;margin:20px;color:#222}h2{clear:both;margin:18px 0 6px;border-bottom:1px solid #ccc}
.panel{float:left;width:${W + 10}px;margin:0 12px 12px 0;padding:6px;border:1px solid #ddd;border-radius:4px}h3{margin:0 0 2px;font-size:14px}
.desc{color:#666;margin:0 0 4px;font-size:11px}.legend{list-style:none;padding:0;margin:0;font-size:11px}.legend span{display:inline-block;width:10px;height:10px;margin-right:4px}
svg text{font-size:10px;fill:#666}.empty{color:#999}.error{color:#b00}.num{text-align:right;font-weight:bold}</style>
<h1>${title}</h1><p>${esc(String(dashboard.description ?? ""))}</p><p>Variables: ${esc(JSON.stringify(vars.vars))}</p>${parts.join("\n")}`;
}
