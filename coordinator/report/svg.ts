// Tiny SVG helpers for the self-contained report: escaping, scales, ticks, a colour ramp, a palette.

export function esc(text: string | number): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return "–";
  return Number(x.toPrecision(digits)).toString();
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Linear map from [d0, d1] to [r0, r1] (a zero-width domain maps to the middle). */
export function scale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (x) => r0 + ((x - d0) / (d1 - d0)) * (r1 - r0);
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Sequential ramp from pale yellow (0) to deep purple (1), readable in print and for most colour-blind readers. */
export function ramp(t: number): string {
  const stops = [[255, 255, 217], [199, 233, 180], [65, 182, 196], [34, 94, 168], [37, 52, 148], [8, 29, 88]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i]!.map((v, k) => Math.round(v + f * (stops[i + 1]![k]! - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Text colour that stays readable on a ramp cell. */
export function inkOn(t: number): string {
  return t > 0.55 ? "#fff" : "#222";
}

/** Okabe–Ito: distinguishable categorical colours. */
export const palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

export function svg(width: number, height: number, body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">${body}</svg>`;
}

export function text(x: number, y: number, content: string | number, attrs = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(content)}</text>`;
}
