// sweep.json: one row per cell (verdict, chosen edit, baseline → chosen test accuracy, time) and which matrix kinds
// and block counts win across tasks (the paper's analysis across datasets), from the cells' result.json documents.
import type { ResultDocument } from "../plan/result.ts";
import type { SweepCell } from "./spec.ts";

export const SWEEP_FORMAT = "c2i.sweep/1";

export type CellState = "succeeded" | "failed" | "cancelled" | "pending";

export interface SweepCellRow {
  name: string;
  model: string;
  dataset: string;
  strategy: string;
  state: CellState;
  /** Why it failed or was cancelled. */
  error?: string;
  /** True when an earlier run of the sweep finished it (its folder was reused, not recomputed). */
  reused: boolean;
  edit: { matrix: string; layer: number; kind: string; blocks: number; rate: number } | null;
  /** Accuracies on the selection set (100 adaptation samples, or LASER's validation rows) and the test set. */
  baseline?: { selection: number; test: number };
  chosen?: { selection: number; test: number };
  /** chosen.test − baseline.test (0 for "no edit"). */
  testGain?: number;
  testSize?: number;
  candidates?: number;
  seconds?: number;
  /** The cell's report, relative to the sweep folder. */
  report?: string;
}

export interface WinCount {
  /** Cells whose chosen edit has this kind (or block count). */
  cells: number;
  /** Their mean test-accuracy gain. */
  meanGain: number;
}

export interface SweepSummary {
  format: typeof SWEEP_FORMAT;
  cells: SweepCellRow[];
  /** Over the cells with an edit: which matrix kinds and block counts won, and what they gained. */
  wins: { byKind: Record<string, WinCount>; byBlocks: Record<string, WinCount>; noEdit: number };
  /** Cells by state. */
  states: Record<CellState, number>;
}

export interface CellOutcome {
  cell: SweepCell;
  state: CellState;
  result?: ResultDocument;
  error?: string;
  reused: boolean;
}

function row(o: CellOutcome): SweepCellRow {
  const { cell, result: r } = o;
  const base: SweepCellRow = { name: cell.name, model: cell.spec.model, dataset: cell.spec.dataset, strategy: cell.spec.strategy, state: o.state, reused: o.reused, edit: null };
  if (o.error) base.error = o.error;
  if (!r) return base;
  const c = r.chosen.candidate;
  const info = c ? r.candidates.find((x) => x.matrix === c.matrix && x.blocks === c.blocks && x.rate === c.rate) : undefined;
  return {
    ...base,
    edit: c ? { matrix: c.matrix, layer: info?.layer ?? -1, kind: info?.kind ?? "?", blocks: c.blocks, rate: c.rate } : null,
    baseline: { selection: r.baseline.selection.accuracy, test: r.baseline.test.accuracy },
    chosen: { selection: r.chosen.selection.accuracy, test: r.chosen.test.accuracy },
    testGain: r.chosen.test.accuracy - r.baseline.test.accuracy,
    testSize: r.sets.test.n,
    candidates: r.candidates.length,
    seconds: r.totalMs / 1000,
    report: `${cell.name}/report.html`,
  };
}

function tally(rows: readonly SweepCellRow[], key: (r: SweepCellRow) => string): Record<string, WinCount> {
  const out: Record<string, { cells: number; gain: number }> = {};
  for (const r of rows) {
    const k = key(r);
    out[k] ??= { cells: 0, gain: 0 };
    out[k].cells++;
    out[k].gain += r.testGain ?? 0;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, { cells: v.cells, meanGain: v.gain / v.cells }]));
}

/** The sweep's table and its analysis across cells, in cell order. */
export function summarizeSweep(outcomes: readonly CellOutcome[]): SweepSummary {
  const cells = outcomes.map(row);
  const edited = cells.filter((c) => c.state === "succeeded" && c.edit);
  const states: Record<CellState, number> = { succeeded: 0, failed: 0, cancelled: 0, pending: 0 };
  for (const c of cells) states[c.state]++;
  return {
    format: SWEEP_FORMAT,
    cells,
    wins: {
      byKind: tally(edited, (c) => c.edit!.kind),
      byBlocks: tally(edited, (c) => String(c.edit!.blocks)),
      noEdit: cells.filter((c) => c.state === "succeeded" && !c.edit).length,
    },
    states,
  };
}
