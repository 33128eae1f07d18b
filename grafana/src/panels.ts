// Builders for Grafana dashboard JSON (schema 39, Grafana ≥ 10): panels laid out row by row, ids assigned once.
export const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

/** Panels whose queries need NVIDIA's dcgm-exporter carry this in their description (checked by test/deploy). */
export const DCGM_MARKER = "[needs dcgm-exporter]";

export interface Query {
  expr: string;
  /** Legend template, e.g. "{{kind}}". @default "" (Grafana's series name) */
  legend?: string;
  /** Table panels ask for one instant vector. @default false */
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  description: string;
  /** @default "timeseries" */
  type?: "timeseries" | "stat" | "state-timeline" | "table" | "bargauge";
  queries: Query[];
  /** Grafana unit id ("s", "bytes", "percentunit", "ops", "short", …). @default "short" */
  unit?: string;
  /** Width in grid columns (24 per row). @default 12 */
  w?: number;
  /** Height in grid rows. @default 8 */
  h?: number;
  /** Stack series (timeseries only). @default false */
  stack?: boolean;
  min?: number;
  max?: number;
}

export interface RowSpec {
  row: string;
  panels: PanelSpec[];
}

export type Json = Record<string, unknown>;

function target(q: Query, i: number): Json {
  return {
    refId: String.fromCharCode(65 + i),
    datasource: DATASOURCE,
    expr: q.expr,
    legendFormat: q.legend ?? "",
    range: !q.instant,
    instant: q.instant ?? false,
    ...(q.instant ? { format: "table" } : {}),
  };
}

function options(p: PanelSpec): Json {
  switch (p.type ?? "timeseries") {
    case "stat":
      return { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "value", graphMode: "area", textMode: "auto" };
    case "state-timeline":
      return { mergeValues: true, showValue: "never", rowHeight: 0.8, legend: { showLegend: true, displayMode: "list", placement: "bottom" } };
    case "table":
      return { showHeader: true, cellHeight: "sm" };
    case "bargauge":
      return { displayMode: "gradient", orientation: "horizontal", reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false } };
    default:
      return { legend: { showLegend: true, displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi", sort: "desc" } };
  }
}

function panel(p: PanelSpec, id: number, x: number, y: number): Json {
  const custom = p.type === undefined || p.type === "timeseries" ? { custom: { stacking: { mode: p.stack ? "normal" : "none", group: "A" }, fillOpacity: p.stack ? 30 : 10, showPoints: "never" } } : {};
  return {
    id,
    type: p.type ?? "timeseries",
    title: p.title,
    description: p.description,
    datasource: DATASOURCE,
    gridPos: { h: p.h ?? 8, w: p.w ?? 12, x, y },
    targets: p.queries.map(target),
    fieldConfig: {
      defaults: { unit: p.unit ?? "short", ...(p.min !== undefined ? { min: p.min } : {}), ...(p.max !== undefined ? { max: p.max } : {}), ...custom },
      overrides: [],
    },
    options: options(p),
  };
}

/** Lays rows out top to bottom, panels left to right, wrapping at 24 columns; ids run 1, 2, … in reading order. */
export function layout(rows: RowSpec[]): Json[] {
  const out: Json[] = [];
  let id = 1;
  let y = 0;
  for (const r of rows) {
    out.push({ id: id++, type: "row", title: r.row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of r.panels) {
      const w = p.w ?? 12;
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      out.push(panel(p, id++, x, y));
      x += w;
      rowHeight = Math.max(rowHeight, p.h ?? 8);
    }
    y += rowHeight;
  }
  return out;
}

export interface VariableSpec {
  name: string;
  label: string;
  /** A `label_values(metric, label)` query. */
  query: string;
  /** Allow several values and "All" (then panels use `=~"$name"`). @default true */
  multi?: boolean;
}

function queryVariable(v: VariableSpec): Json {
  const multi = v.multi ?? true;
  return {
    name: v.name, label: v.label, type: "query", datasource: DATASOURCE,
    query: { query: v.query, refId: `${v.name}-values` }, definition: v.query,
    refresh: 2, sort: 1, multi, includeAll: multi, allValue: multi ? ".*" : undefined,
    current: {}, options: [], hide: 0,
  };
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables?: VariableSpec[];
  rows: RowSpec[];
  /** @default "now-1h" */
  from?: string;
}

export function dashboard(d: DashboardSpec): Json {
  const datasourceVariable = {
    name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus",
    current: {}, hide: 0, refresh: 1, regex: "", options: [],
  };
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ["c2i"],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: "10s",
    time: { from: d.from ?? "now-1h", to: "now" },
    timepicker: {},
    timezone: "",
    annotations: { list: [] },
    links: [],
    templating: { list: [datasourceVariable, ...(d.variables ?? []).map(queryVariable)] },
    panels: layout(d.rows),
  };
}
