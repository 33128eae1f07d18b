// Phase timings as horizontal stacked bars, one bar per result, on a shared time axis.
import type { ResultDocument } from "../plan/result.ts";
import { esc, palette, scale, svg, text, ticks } from "./svg.ts";

const PHASES = ["prepare", "baseline", "score", "evaluate", "finalize"];

export function timingChart(docs: readonly ResultDocument[]): string {
  const W = 620;
  const barH = 24;
  const M = { l: 110, r: 60, t: 40, b: 30 };
  const H = M.t + docs.length * (barH + 10) + M.b;
  const max = Math.max(...docs.map((d) => d.phases.reduce((s, p) => s + p.ms, 0)), 1) / 1000;
  const x = scale(0, max, M.l, W - M.r);
  let body = text(M.l, 14, "wall time per phase (s)", 'font-size="12" font-weight="600"');
  PHASES.forEach((p, i) => (body += `<rect x="${M.l + i * 96}" y="22" width="10" height="10" fill="${palette[i]}"/>` + text(M.l + i * 96 + 14, 31, p, 'font-size="10"')));
  for (const t of ticks(0, max, 6)) body += `<line x1="${x(t)}" x2="${x(t)}" y1="${M.t}" y2="${H - M.b}" stroke="#eee"/>` + text(x(t), H - M.b + 14, `${t}`, 'font-size="10" text-anchor="middle"');
  docs.forEach((d, i) => {
    const yy = M.t + i * (barH + 10);
    body += text(M.l - 6, yy + barH / 2 + 4, d.strategy, 'font-size="11" text-anchor="end"');
    let acc = 0;
    for (const p of d.phases) {
      const c = palette[Math.max(0, PHASES.indexOf(p.name))]!;
      const x0 = x(acc / 1000);
      acc += p.ms;
      body += `<rect x="${x0.toFixed(1)}" y="${yy}" width="${Math.max(0.5, x(acc / 1000) - x0).toFixed(1)}" height="${barH}" fill="${c}"><title>${esc(`${p.name}: ${(p.ms / 1000).toFixed(2)} s, ${p.shards} shards${p.reused ? ` (${p.reused} reused)` : ""}`)}</title></rect>`;
    }
    body += text(x(acc / 1000) + 4, yy + barH / 2 + 4, `${(acc / 1000).toFixed(1)} s`, 'font-size="10"');
  });
  return svg(W, H, body, "phase timings");
}
