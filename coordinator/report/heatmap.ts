// Score heat-map (layer × matrix type, one panel per block count K): where the σ-gradients point.
import type { ResultDocument } from "../plan/result.ts";
import { esc, fmt, inkOn, ramp, svg, text } from "./svg.ts";

const CELL_W = 64;
const CELL_H = 22;

/** One SVG per K; the top-m cells (the matrices Algorithm 1 evaluates) are outlined and numbered by rank. */
export function scoreHeatmaps(doc: ResultDocument): string[] {
  if (doc.scores.length === 0) return [];
  const layers = [...new Set(doc.scores.map((s) => s.layer))].sort((a, b) => a - b);
  const kinds = [...new Set(doc.scores.map((s) => s.kind))];
  const blocks = [...new Set(doc.scores.map((s) => s.blocks))].sort((a, b) => a - b);
  return blocks.map((k) => {
    const rows = doc.scores.filter((s) => s.blocks === k);
    // Log colour scale over four decades below the top score: scores span many orders of magnitude.
    const max = Math.max(...rows.map((s) => s.score), 1e-30);
    const shade = (score: number) => (score <= 0 ? 0 : Math.max(0, 1 + Math.log10(score / max) / 4));
    const left = 70;
    const top = 40;
    const w = left + kinds.length * CELL_W + 10;
    const h = top + layers.length * CELL_H + 10;
    let body = text(left, 16, `K = ${k}: score (Σ of −∂L/∂σ over the ${doc.settings.smallest} smallest σ per block; log colour)`, 'font-size="12" font-weight="600"');
    kinds.forEach((kind, j) => (body += text(left + j * CELL_W + CELL_W / 2, top - 6, kind, 'font-size="11" text-anchor="middle"')));
    layers.forEach((layer, i) => {
      body += text(left - 6, top + i * CELL_H + CELL_H / 2 + 4, `layer ${layer}`, 'font-size="11" text-anchor="end"');
      kinds.forEach((kind, j) => {
        const s = rows.find((r) => r.layer === layer && r.kind === kind);
        const x = left + j * CELL_W;
        const y = top + i * CELL_H;
        if (!s) {
          body += `<rect x="${x}" y="${y}" width="${CELL_W - 2}" height="${CELL_H - 2}" fill="#eee"/>`;
          return;
        }
        const t = shade(s.score);
        const chosen = s.rank <= doc.settings.topM;
        body += `<rect x="${x}" y="${y}" width="${CELL_W - 2}" height="${CELL_H - 2}" fill="${ramp(t)}"${chosen ? ' stroke="#D55E00" stroke-width="2"' : ""}><title>${esc(`${s.matrix} K=${k}: score ${fmt(s.score, 4)}, rank ${s.rank}`)}</title></rect>`;
        body += text(x + CELL_W / 2 - 1, y + CELL_H / 2 + 3, chosen ? `#${s.rank} ${fmt(s.score, 2)}` : fmt(s.score, 2), `font-size="10" text-anchor="middle" fill="${inkOn(t)}"`);
      });
    });
    return svg(w, h, body, `score heat-map for K=${k}`);
  });
}
