// report.html: one self-contained page (inline SVG and CSS, no scripts) telling what was found and why.
import type { ResultDocument } from "../plan/result.ts";
import { accuracyTimeChart } from "./figure2.ts";
import { scoreHeatmaps } from "./heatmap.ts";
import { rateCharts, shortName } from "./rate-chart.ts";
import { esc, fmt, pct } from "./svg.ts";
import { timingChart } from "./timings.ts";

export const REPORT_CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:1120px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666}.verdict{font-size:18px;margin:14px 0;padding:10px 14px;border-radius:6px;background:#eef6ee;border:1px solid #b9dcb9}
.verdict.none{background:#f6f3ea;border-color:#e0d6b0}table{border-collapse:collapse;margin:6px 0}
td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}th:first-child,td:first-child{text-align:left}
.up{color:#0a7a3b}.down{color:#b3261e}.grid{display:flex;flex-wrap:wrap;gap:18px}code{font-size:12px}
details{margin:8px 0}footer{margin-top:30px;color:#888;font-size:12px}`;

/** b − a in percentage points, coloured by sign. */
export function delta(a: number, b: number): string {
  const d = 100 * (b - a);
  const cls = d > 0 ? "up" : d < 0 ? "down" : "";
  return `<span class="${cls}">${d > 0 ? "+" : ""}${d.toFixed(1)} pts</span>`;
}

function verdict(d: ResultDocument): string {
  if (!d.chosen.candidate) {
    return `<div class="verdict none"><b>No edit.</b> None of the ${d.candidates.length} candidates beat the unmodified model on the ${esc(d.sets.selection.name)} set; the output checkpoint equals the input.</div>`;
  }
  const c = d.chosen.candidate;
  return `<div class="verdict">Prune <code>${esc(c.matrix)}</code> in <b>K = ${c.blocks}</b> block${c.blocks > 1 ? "s" : ""} at rate <b>ρ = ${c.rate}</b> (kept ranks ${esc((d.chosen.keptRanks ?? []).join(", "))}): test accuracy <b>${pct(d.baseline.test.accuracy)} → ${pct(d.chosen.test.accuracy)}</b> (${delta(d.baseline.test.accuracy, d.chosen.test.accuracy)}).</div>`;
}

function numbers(d: ResultDocument): string {
  const row = (name: string, b: { accuracy: number; loss: number; n: number }, c: { accuracy: number; loss: number }) =>
    `<tr><td>${esc(name)} (${b.n})</td><td>${pct(b.accuracy)}</td><td>${pct(c.accuracy)}</td><td>${delta(b.accuracy, c.accuracy)}</td><td>${fmt(b.loss, 4)}</td><td>${fmt(c.loss, 4)}</td></tr>`;
  return `<table><tr><th>set (samples)</th><th>baseline acc.</th><th>chosen acc.</th><th>change</th><th>baseline loss</th><th>chosen loss</th></tr>
${row(`${d.sets.selection.name} (selection)`, d.baseline.selection, d.chosen.selection)}${row("test (held out)", d.baseline.test, d.chosen.test)}</table>`;
}

function topCandidates(d: ResultDocument, n = 10): string {
  const sorted = [...d.candidates].sort((a, b) => Number(a.stoppedEarly) - Number(b.stoppedEarly) || b.accuracy - a.accuracy || a.loss - b.loss).slice(0, n);
  const rows = sorted.map((c) => `<tr><td><code>${esc(shortName(c.matrix))}</code></td><td>${c.blocks}</td><td>${c.rate}</td><td>${pct(c.accuracy)}</td><td>${fmt(c.loss, 4)}</td><td>${c.stoppedEarly ? "stopped early" : ""}</td></tr>`);
  return `<table><tr><th>matrix</th><th>K</th><th>ρ</th><th>accuracy</th><th>loss</th><th></th></tr>${rows.join("")}</table>`;
}

function settingsTable(d: ResultDocument): string {
  const s = d.settings as unknown as Record<string, unknown>;
  return `<table>${Object.entries(s).filter(([, v]) => v !== undefined).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(JSON.stringify(v))}</td></tr>`).join("")}</table>`;
}

/** The report for one job; extra results (e.g. the other strategy on the same model) add the Figure 2 comparison. */
export function renderReport(primary: ResultDocument, others: readonly ResultDocument[] = []): string {
  const d = primary;
  const all = [d, ...others];
  const fig2 = accuracyTimeChart(all);
  const heat = scoreHeatmaps(d);
  const compare = others.length
    ? `<table><tr><th>strategy</th><th>edit</th><th>test acc.</th><th>change</th><th>time</th><th>speed-up</th></tr>${all
        .map((o) => `<tr><td>${esc(o.strategy)}</td><td>${o.chosen.candidate ? `<code>${esc(shortName(o.chosen.candidate.matrix))}</code> K=${o.chosen.candidate.blocks} ρ=${o.chosen.candidate.rate}` : "none"}</td><td>${pct(o.chosen.test.accuracy)}</td><td>${delta(o.baseline.test.accuracy, o.chosen.test.accuracy)}</td><td>${(o.totalMs / 1000).toFixed(1)} s</td><td>${(Math.max(...all.map((x) => x.totalMs)) / o.totalMs).toFixed(1)}×</td></tr>`)
        .join("")}</table>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>c2i report: ${esc(d.strategy)} on ${esc(d.model.ref)}</title><style>${REPORT_CSS}</style></head>
<body>
<h1>c2i report: ${esc(d.strategy)} on <code>${esc(d.model.ref)}</code></h1>
<div class="sub">dataset <code>${esc(d.dataset.ref)}</code> · ${d.dataset.rows} rows · ${esc(d.dataset.protocol)} task · model ${esc(d.model.type)} · ${d.candidates.length} candidates evaluated in ${(d.totalMs / 1000).toFixed(1)} s on ${d.agents.length} agent${d.agents.length === 1 ? "" : "s"}</div>
${verdict(d)}
${(d.warnings ?? []).map((w) => `<p class="sub"><strong>Warning:</strong> ${esc(w)}</p>`).join("")}
${numbers(d)}
${fig2 ? `<h2>Strategies compared</h2>${compare}<div class="grid">${fig2}</div>` : ""}
${heat.length ? `<h2>Where the σ-gradients point</h2><p class="sub">Higher score: the loss on the ${d.sets.adapt?.n ?? d.sets.selection.n} adaptation samples wants the matrix's smallest singular directions gone more (METHOD.md, “Scoring a matrix”). Outlined cells are the top ${d.settings.topM} per K that were evaluated.</p><div class="grid">${heat.join("")}</div>` : ""}
<h2>Accuracy vs reduction rate</h2><p class="sub">Each line is one candidate matrix; dashed: the unmodified model on the same ${d.sets.selection.n} samples.</p>
<div class="grid">${rateCharts(d).join("")}</div>
<h2>Best candidates on the ${esc(d.sets.selection.name)} set</h2>${topCandidates(d)}
<h2>Where the time went</h2><div class="grid">${timingChart(all)}</div>
<details><summary>Settings</summary>${settingsTable(d)}</details>
<details><summary>Agents and versions</summary><table>${d.agents.map((a) => `<tr><td>${esc(a.id)}</td><td>${esc(a.address)}</td><td>${esc(a.backend)}</td><td>${esc(a.svd)}</td></tr>`).join("")}</table>
<table>${Object.entries(d.versions).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join("")}</table></details>
<footer>job ${esc(d.job)} · model fingerprint <code>${esc(d.model.fingerprint.slice(0, 16))}…</code> · generated by c2i; every number above is in result.json</footer>
</body></html>
`;
}
