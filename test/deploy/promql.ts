// Reads the metric names and label names a PromQL expression (with Grafana variables) refers to, so dashboard
// queries can be checked against the metrics the code registers without a Prometheus at hand.

export interface Selector {
  metric: string;
  /** Label names in its `{…}` matchers. */
  labels: string[];
}

export interface PromqlRefs {
  selectors: Selector[];
  /** Label names in by/without/on/ignoring/group_left/group_right lists. */
  grouping: string[];
}

const GROUPING = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end"]);
/** Aggregation operators may be followed by `by (…)` before their parenthesis. */
const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"]);
const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;

function labelNames(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g)) out.push(m[1]!);
  return out;
}

function closing(text: string, open: number, pair: string): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === "`") {
      const end = text.indexOf(c, i + 1);
      i = end < 0 ? text.length : end;
    } else if (c === pair[0]) depth++;
    else if (c === pair[1] && --depth === 0) return i;
  }
  throw new Error(`unbalanced ${pair} in PromQL at ${open}: ${text}`);
}

/** Metric selectors and grouping labels of `expr`; Grafana's `$var`, `${var}` and `[[var]]` are skipped. */
export function promqlRefs(expr: string): PromqlRefs {
  const selectors: Selector[] = [];
  const grouping: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(expr[i]!)) i++;
  };
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === "`") {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string in PromQL: ${expr}`);
      i = end + 1;
    } else if (c === "#") {
      const end = expr.indexOf("\n", i);
      i = end < 0 ? expr.length : end;
    } else if (c === "$") {
      i++;
      if (expr[i] === "{") i = closing(expr, i, "{}") + 1;
      else {
        IDENT.lastIndex = i;
        i = IDENT.exec(expr) ? IDENT.lastIndex : i;
      }
    } else if (c === "[") {
      i = closing(expr, i, "[]") + 1;
    } else if (c === "{") {
      // A selector without a name, e.g. {__name__="x"}: only its label names matter.
      const end = closing(expr, i, "{}");
      const labels = labelNames(expr.slice(i + 1, end));
      const name = /__name__\s*=\s*"([^"]+)"/.exec(expr.slice(i + 1, end))?.[1];
      selectors.push({ metric: name ?? "", labels: labels.filter((l) => l !== "__name__") });
      i = end + 1;
    } else if (/[0-9.]/.test(c)) {
      // Numbers and durations (0.95, 1e3, 5m, 1h30m).
      const m = /^[0-9.]+(?:e[+-]?[0-9]+)?[a-zA-Z0-9]*/i.exec(expr.slice(i))!;
      i += m[0].length;
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(expr)![0];
      i = IDENT.lastIndex;
      const lower = word.toLowerCase();
      skipSpace();
      if (GROUPING.has(lower)) {
        if (expr[i] === "(") {
          const end = closing(expr, i, "()");
          grouping.push(...expr.slice(i + 1, end).split(",").map((s) => s.trim()).filter(Boolean));
          i = end + 1;
        }
      } else if (KEYWORDS.has(lower) || AGGREGATIONS.has(lower)) {
        // operators and modifiers carry no names
      } else if (expr[i] === "(") {
        // a function call: its arguments are scanned next
      } else if (expr[i] === "{") {
        const end = closing(expr, i, "{}");
        selectors.push({ metric: word, labels: labelNames(expr.slice(i + 1, end)) });
        i = end + 1;
      } else {
        selectors.push({ metric: word, labels: [] });
      }
    } else {
      i++;
    }
  }
  return { selectors, grouping };
}

/** `label_values(metric, label)` of a Grafana variable query. */
export function labelValuesQuery(query: string): { metric: string; label: string } | undefined {
  const m = /^\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
  if (!m) return undefined;
  const refs = promqlRefs(m[1]!);
  return refs.selectors[0] ? { metric: refs.selectors[0].metric, label: m[2]! } : undefined;
}
