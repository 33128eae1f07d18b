// Accuracy vs reduction rate, one line per candidate matrix, one panel per K, with the baseline dashed.
import type { CandidateRow, ResultDocument } from "../plan/result.ts";
import { esc, fmt, palette, pct, scale, svg, text, ticks } from "./svg.ts";

const W = 520;
const H = 260;
const M = { l: 48, r: 170, t: 26, b: 36 };

export function rateCharts(doc: ResultDocument): string[] {
  const blocks = [...new Set(doc.candidates.map((c) => c.blocks))].sort((a, b) => a - b);
  const base = doc.baseline.selection.accuracy;
  return blocks.map((k) => {
    const rows = doc.candidates.filter((c) => c.blocks === k);
    const byMatrix = new Map<string, CandidateRow[]>();
    for (const c of rows) byMatrix.set(c.matrix, [...(byMatrix.get(c.matrix) ?? []), c]);
    // Many matrices (LASER): draw the best 8 by peak accuracy in colour, the rest in grey.
    const ranked = [...byMatrix.entries()].sort((a, b) => Math.max(...b[1].map((c) => c.accuracy)) - Math.max(...a[1].map((c) => c.accuracy)));
    const ys = [...rows.map((c) => c.accuracy), base];
    const early = rows.some((c) => c.stoppedEarly);
    const y = scale(Math.min(...ys), Math.max(...ys), H - M.b, M.t);
    const rates = doc.settings.rates;
    const x = scale(0, rates.length - 1, M.l, W - M.r);
    const xi = (r: number) => x(Math.max(0, rates.indexOf(r)));
    let body = text(M.l, 14, `K = ${k}: accuracy on the ${doc.sets.selection.name} set (${doc.sets.selection.n} samples) vs rate`, 'font-size="12" font-weight="600"');
    for (const t of ticks(Math.min(...ys), Math.max(...ys), 4)) {
      body += `<line x1="${M.l}" x2="${W - M.r}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>` + text(M.l - 4, y(t) + 4, pct(t), 'font-size="10" text-anchor="end"');
    }
    rates.forEach((r) => (body += text(xi(r), H - M.b + 14, r, 'font-size="10" text-anchor="middle"')));
    body += text((M.l + W - M.r) / 2, H - 6, "reduction rate ρ (fraction of rank removed)", 'font-size="11" text-anchor="middle"');
    body += `<line x1="${M.l}" x2="${W - M.r}" y1="${y(base)}" y2="${y(base)}" stroke="#555" stroke-dasharray="5 4"/>` + text(M.l + 4, y(base) - 4, `unmodified ${pct(base)}`, 'font-size="10" fill="#555"');
    ranked.forEach(([matrix, cs], i) => {
      const colour = i < palette.length ? palette[i]! : "#bbb";
      const pts = [...cs].sort((a, b) => a.rate - b.rate).map((c) => `${xi(c.rate).toFixed(1)},${y(c.accuracy).toFixed(1)}`).join(" ");
      body += `<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="${i < palette.length ? 1.8 : 1}"><title>${esc(matrix)}</title></polyline>`;
      // Hollow points: evaluation stopped early (it could no longer match the baseline); accuracy covers only c.n samples.
      for (const c of cs) {
        const fill = c.stoppedEarly ? `fill="#fff" stroke="${colour}"` : `fill="${colour}"`;
        const note = c.stoppedEarly ? ` (stopped early after ${c.n} samples)` : "";
        body += `<circle cx="${xi(c.rate).toFixed(1)}" cy="${y(c.accuracy).toFixed(1)}" r="2.5" ${fill}><title>${esc(`${matrix} K=${k} ρ=${c.rate}: ${pct(c.accuracy)}, loss ${fmt(c.loss)}${note}`)}</title></circle>`;
      }
      if (i < palette.length) body += text(W - M.r + 4, M.t + 16 + i * 14, shortName(matrix), `font-size="10" fill="${colour}"`);
    });
    if (ranked.length > palette.length) body += text(W - M.r + 4, M.t + 16 + palette.length * 14, `+${ranked.length - palette.length} more (grey)`, 'font-size="10" fill="#888"');
    if (early) body += text(W - M.r + 4, H - M.b, "hollow: stopped early", 'font-size="10" fill="#888"');
    return svg(W, H, body, `accuracy vs rate for K=${k}`);
  });
}

/** `model.layers.0.mlp.down_proj.weight` → `layers.0.mlp.down_proj` (the legend has little room). */
export function shortName(matrix: string): string {
  return matrix.replace(/^(model|transformer|gpt_neox)\./, "").replace(/\.weight$/, "");
}
