// The runs of one evidence task (model, cloze mode, seed) and the per-run rows read from their result.json files.
import type { Candidate } from "../../common/shards.ts";
import type { SetMetrics } from "../../coordinator/plan/metrics.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import type { SpectraDocument } from "./first-order.ts";

/** The two matrix scores compared: Σ max(∂L/∂σ, 0) ("positive") and the literal Σ max(−∂L/∂σ, 0) ("negative"). */
export const SIGNS = ["negative", "positive"] as const;
export type Sign = (typeof SIGNS)[number];

/** One task's runs: LASER once (it has no score), c2i once per score sign; same dataset file, same seed. */
export interface TaskRuns {
  model: string;
  mode: string;
  seed: number;
  laser: ResultDocument;
  c2i: Record<Sign, ResultDocument>;
  /** `c2i score` on the same adaptation set with every singular value: the first-order check's input. */
  spectra: SpectraDocument;
}

export interface RunRecord {
  model: string;
  mode: string;
  seed: number;
  strategy: string;
  /** The c2i score sign; null for LASER. */
  sign: Sign | null;
  selection: { name: string; n: number };
  testN: number;
  baseline: { selection: SetMetrics; test: SetMetrics };
  chosen: { selection: SetMetrics; test: SetMetrics };
  /** null = "no edit" (no candidate beat the unmodified model on the selection set). */
  edit: Candidate | null;
  candidates: number;
  seconds: number;
  /** LASER's seconds on the same task / this run's seconds (c2i rows only). */
  speedup: number | null;
}

function recordOf(t: TaskRuns, doc: ResultDocument, sign: Sign | null, laserSeconds: number): RunRecord {
  const seconds = doc.totalMs / 1000;
  return {
    model: t.model, mode: t.mode, seed: t.seed, strategy: doc.strategy, sign,
    selection: doc.sets.selection, testN: doc.sets.test.n,
    baseline: doc.baseline, chosen: { selection: doc.chosen.selection, test: doc.chosen.test },
    edit: doc.chosen.candidate, candidates: doc.candidates.length, seconds,
    speedup: sign === null ? null : laserSeconds / seconds,
  };
}

/** LASER first, then c2i under each sign. */
export function recordsOf(t: TaskRuns): RunRecord[] {
  const laserSeconds = t.laser.totalMs / 1000;
  return [recordOf(t, t.laser, null, laserSeconds), ...SIGNS.map((s) => recordOf(t, t.c2i[s], s, laserSeconds))];
}

/** "model.layers.3.self_attn.v_proj.weight" → "L3.v_proj"; other names unchanged. */
export function shortMatrix(name: string): string {
  const m = /layers\.(\d+)\.(?:self_attn|mlp|attention|feed_forward)\.(\w+)\.weight$/.exec(name);
  return m ? `L${m[1]}.${m[2]}` : name;
}

export function editLabel(c: Candidate | null): string {
  return c ? `${shortMatrix(c.matrix)} K=${c.blocks} ρ=${c.rate}` : "no edit";
}

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
/** A change in percentage points, signed. */
export const pts = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}`;

const change = (a: SetMetrics, b: SetMetrics) => `${pct(a.accuracy)} → ${pct(b.accuracy)} (${pts(b.accuracy - a.accuracy)})`;
const lossChange = (a: SetMetrics, b: SetMetrics) => `${a.loss.toFixed(4)} → ${b.loss.toFixed(4)}`;

/** One markdown row per run: sets, accuracy and loss before → after, edit, candidates, seconds, speed-up. */
export function runTable(records: readonly RunRecord[]): string[] {
  const lines = [
    "| model | mode | seed | strategy | sign | selection n / test n | selection acc | selection loss | test acc | test loss | chosen edit | candidates | seconds | speed-up |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of records) {
    lines.push(`| ${r.model} | ${r.mode} | ${r.seed} | ${r.strategy} | ${r.sign ?? "—"} | ${r.selection.n} (${r.selection.name}) / ${r.testN} | ` +
      `${change(r.baseline.selection, r.chosen.selection)} | ${lossChange(r.baseline.selection, r.chosen.selection)} | ` +
      `${change(r.baseline.test, r.chosen.test)} | ${lossChange(r.baseline.test, r.chosen.test)} | ${editLabel(r.edit)} | ${r.candidates} | ` +
      `${r.seconds.toFixed(1)} | ${r.speedup === null ? "—" : `${r.speedup.toFixed(2)}×`} |`);
  }
  return lines;
}
