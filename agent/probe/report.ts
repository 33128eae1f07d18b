// probe.html: per-layer task and control accuracy as an inline SVG line plot, before and after an edit.
import type { ProbeRun } from "./probe.ts";

const COLOURS = { task: "#1f77b4", control: "#ff7f0e" } as const;

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** One SVG: x = layer, y = accuracy 0…1; solid lines before, dashed after. */
export function probeSvg(runs: { label: string; run: ProbeRun; dashed: boolean }[]): string {
  const w = 560;
  const h = 300;
  const m = { l: 48, r: 150, t: 16, b: 36 };
  const layers = [...new Set(runs.flatMap((r) => r.run.layers.map((l) => l.layer)))].sort((a, b) => a - b);
  const lo = layers[0] ?? 0;
  const hi = Math.max(lo + 1, layers.at(-1) ?? 1);
  const x = (layer: number) => m.l + ((layer - lo) / (hi - lo)) * (w - m.l - m.r);
  const y = (v: number) => m.t + (1 - v) * (h - m.t - m.b);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`];
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.l}" x2="${w - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (const l of layers) parts.push(`<text x="${x(l)}" y="${h - m.b + 16}" text-anchor="middle">${l}</text>`);
  parts.push(`<text x="${(m.l + w - m.r) / 2}" y="${h - 4}" text-anchor="middle">hidden state (0 = embeddings, i = after layer i)</text>`);
  let legend = 0;
  for (const { label, run, dashed } of runs) {
    for (const key of ["task", "control"] as const) {
      const pts = run.layers.map((l) => `${x(l.layer).toFixed(1)},${y(l[key].accuracy).toFixed(1)}`).join(" ");
      const dash = dashed ? ` stroke-dasharray="5,4"` : "";
      parts.push(`<polyline fill="none" stroke="${COLOURS[key]}" stroke-width="2"${dash} points="${pts}"/>`);
      for (const l of run.layers) parts.push(`<circle cx="${x(l.layer).toFixed(1)}" cy="${y(l[key].accuracy).toFixed(1)}" r="3" fill="${COLOURS[key]}"/>`);
      const ly = m.t + 14 * legend++;
      parts.push(`<line x1="${w - m.r + 10}" x2="${w - m.r + 34}" y1="${ly}" y2="${ly}" stroke="${COLOURS[key]}" stroke-width="2"${dash}/><text x="${w - m.r + 38}" y="${ly + 4}">${escape(`${label} ${key}`)}</text>`);
    }
  }
  parts.push("</svg>");
  return parts.join("\n");
}

function table(label: string, run: ProbeRun): string {
  const p = (v: number) => v.toFixed(3);
  const rows = run.layers.map((l) => `<tr><td>${l.layer}</td><td>${p(l.task.accuracy)}</td><td>${p(l.task.f1)}</td><td>${p(l.control.accuracy)}</td><td>${p(l.control.f1)}</td><td>${p(l.selectivity)}</td></tr>`);
  return `<h2>${escape(label)}</h2><p>${run.train} training / ${run.test} test samples, ${run.classes} classes, control task: ${run.control}, majority-class accuracy ${p(run.majority)}</p>
<table border="1" cellspacing="0" cellpadding="3"><tr><th>layer</th><th>task acc</th><th>task F1</th><th>control acc</th><th>control F1</th><th>selectivity</th></tr>${rows.join("")}</table>`;
}

export function probeHtml(title: string, runs: { label: string; run: ProbeRun }[]): string {
  const svg = probeSvg(runs.map((r, i) => ({ ...r, dashed: i > 0 })));
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>
<h1>${escape(title)}</h1>
<p>Two-layer MLP probes on each layer's hidden state at the answer-predicting position; control tasks after Hewitt &amp; Liang (2019). Selectivity = task accuracy − control accuracy.</p>
${svg}
${runs.map((r) => table(r.label, r.run)).join("\n")}
</body></html>
`;
}
