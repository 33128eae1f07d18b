// The paper's Figure 2 picture: test accuracy against search time, one point per strategy, baseline as a line.
import type { ResultDocument } from "../plan/result.ts";
import { esc, palette, pct, scale, svg, text, ticks } from "./svg.ts";

const W = 560;
const H = 280;
const M = { l: 52, r: 190, t: 26, b: 40 };

/** Undefined with fewer than two results: there is nothing to compare. */
export function accuracyTimeChart(docs: readonly ResultDocument[]): string | undefined {
  if (docs.length < 2) return undefined;
  const secs = docs.map((d) => d.totalMs / 1000);
  const accs = docs.flatMap((d) => [d.chosen.test.accuracy, d.baseline.test.accuracy]);
  const x = scale(0, Math.max(...secs) * 1.1, M.l, W - M.r);
  const lo = Math.min(...accs);
  const hi = Math.max(...accs);
  const pad = (hi - lo) * 0.15 || 0.02;
  const y = scale(lo - pad, hi + pad, H - M.b, M.t);
  let body = text(M.l, 14, "test accuracy vs search time (paper Figure 2)", 'font-size="12" font-weight="600"');
  for (const t of ticks(lo - pad, hi + pad, 4)) body += `<line x1="${M.l}" x2="${W - M.r}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>` + text(M.l - 4, y(t) + 4, pct(t), 'font-size="10" text-anchor="end"');
  for (const t of ticks(0, Math.max(...secs) * 1.1, 5)) body += text(x(t), H - M.b + 14, `${t}s`, 'font-size="10" text-anchor="middle"');
  body += text((M.l + W - M.r) / 2, H - 6, "wall time of the whole search (s)", 'font-size="11" text-anchor="middle"');
  const base = docs[0]!.baseline.test.accuracy;
  body += `<line x1="${M.l}" x2="${W - M.r}" y1="${y(base)}" y2="${y(base)}" stroke="#555" stroke-dasharray="5 4"/>` + text(M.l + 4, y(base) - 4, `unmodified model ${pct(base)}`, 'font-size="10" fill="#555"');
  // Labels go in the right margin, one line each, joined to their points by a thin leader.
  const placed = docs.map((d, i) => ({ d, i, px: x(d.totalMs / 1000), py: y(d.chosen.test.accuracy) })).sort((a, b) => a.py - b.py);
  let lastY = M.t + 24;
  for (const { d, i, px, py } of placed) {
    const c = palette[i % palette.length]!;
    const ly = Math.max(py + 4, lastY + 14);
    lastY = ly;
    body += `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="6" fill="${c}" fill-opacity="0.85"><title>${esc(`${d.strategy}: ${pct(d.chosen.test.accuracy)} in ${(d.totalMs / 1000).toFixed(1)} s`)}</title></circle>`;
    body += `<line x1="${(px + 6).toFixed(1)}" y1="${py.toFixed(1)}" x2="${W - M.r + 2}" y2="${(ly - 4).toFixed(1)}" stroke="${c}" stroke-width="0.7"/>`;
    body += text(W - M.r + 4, ly, `${d.strategy} ${pct(d.chosen.test.accuracy)}, ${(d.totalMs / 1000).toFixed(1)} s`, `font-size="11" fill="${c}"`);
  }
  const fastest = Math.min(...secs);
  const slowest = Math.max(...secs);
  body += text(W - M.r + 4, M.t + 4, `speed-up ${(slowest / fastest).toFixed(1)}×`, 'font-size="12" font-weight="600"');
  return svg(W, H, body, "test accuracy against search time per strategy");
}
