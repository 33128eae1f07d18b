// Per (model, mode, strategy, sign) across seeds: mean and range of the test-accuracy change, edit frequency, time, speed-up.
import { editLabel, pts, type RunRecord } from "./records.ts";

export interface Spread {
  mean: number;
  min: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error("spread of no values");
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

export interface GroupSummary {
  model: string;
  mode: string;
  strategy: string;
  sign: string;
  seeds: number;
  /** Chosen − baseline accuracy on the selection set and on the test set (fractions). */
  selectionGain: Spread;
  testGain: Spread;
  /** Chosen − baseline mean loss on the test set. */
  testLossChange: Spread;
  /** Runs that chose an edit (not "no edit"), and how often each edit was chosen. */
  edited: number;
  edits: Map<string, number>;
  seconds: Spread;
  speedup: Spread | null;
}

const keyOf = (r: RunRecord) => [r.model, r.mode, r.strategy, r.sign ?? "—"].join("\u0000");

function summarizeGroup(rs: readonly RunRecord[]): GroupSummary {
  const r0 = rs[0]!;
  const edits = new Map<string, number>();
  for (const r of rs) if (r.edit) edits.set(editLabel(r.edit), (edits.get(editLabel(r.edit)) ?? 0) + 1);
  const speedups = rs.flatMap((r) => (r.speedup === null ? [] : [r.speedup]));
  return {
    model: r0.model, mode: r0.mode, strategy: r0.strategy, sign: r0.sign ?? "—", seeds: rs.length,
    selectionGain: spread(rs.map((r) => r.chosen.selection.accuracy - r.baseline.selection.accuracy)),
    testGain: spread(rs.map((r) => r.chosen.test.accuracy - r.baseline.test.accuracy)),
    testLossChange: spread(rs.map((r) => r.chosen.test.loss - r.baseline.test.loss)),
    edited: rs.filter((r) => r.edit).length, edits,
    seconds: spread(rs.map((r) => r.seconds)),
    speedup: speedups.length > 0 ? spread(speedups) : null,
  };
}

/** Groups in first-seen order (the order the runs were made). */
export function summarize(records: readonly RunRecord[]): GroupSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  return [...groups.values()].map(summarizeGroup);
}

const range = (s: Spread, f: (x: number) => string) => `${f(s.mean)} [${f(s.min)}, ${f(s.max)}]`;
const loss = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;

export function summaryTable(groups: readonly GroupSummary[]): string[] {
  const lines = [
    "| model | mode | strategy | sign | seeds | Δ selection acc (pts) | Δ test acc (pts) | Δ test loss | edited | edits chosen | seconds | speed-up (LASER s / c2i s) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const g of groups) {
    const edits = [...g.edits].map(([e, n]) => (n > 1 ? `${e} (×${n})` : e)).join("; ") || "—";
    lines.push(`| ${g.model} | ${g.mode} | ${g.strategy} | ${g.sign} | ${g.seeds} | ${range(g.selectionGain, pts)} | ${range(g.testGain, pts)} | ` +
      `${range(g.testLossChange, loss)} | ${g.edited}/${g.seeds} | ${edits} | ${range(g.seconds, (x) => x.toFixed(0))} | ` +
      `${g.speedup ? range(g.speedup, (x) => `${x.toFixed(2)}×`) : "—"} |`);
  }
  return lines;
}
