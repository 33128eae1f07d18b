// First-order check of the σ-gradient sign (METHOD.md, "Singular-value gradients"): removing σᵢ changes the loss by
// ≈ −σᵢ·gᵢ. For each candidate c2i evaluated on its adaptation set, the predicted change −Σ_b Σ_{i removed} σ_{b,i}·g_{b,i}
// (every block's full spectrum and σ-gradients from `c2i score --smallest <all>` on the same set) against the measured
// change (candidate loss − unmodified loss, same set). If shrinking a σᵢ with gᵢ > 0 lowers the loss, the two agree.
import type { CandidateRow, ResultDocument } from "../../coordinator/plan/result.ts";
import { spearman } from "./sign.ts";

/** The JSON of `c2i score --json`: per (matrix, K), each block's singular values ascending with their gradients. */
export interface SpectraDocument {
  loss: number;
  scores: { matrix: string; blocks: number; smallest: { block: number; sigma: number[]; grad: number[] }[] }[];
}

export interface FirstOrderCheck {
  model: string;
  mode: string;
  seed: number;
  /** Distinct candidates (matrix, K, rate) the two signs' searches evaluated. */
  candidates: number;
  /** Spearman ρ of predicted vs measured loss change: all candidates, and gentle ones (rate ≤ GENTLE_RATE). */
  all: number;
  gentle: number;
  gentleCount: number;
  /** Gentle candidates whose predicted and measured changes have the same sign. */
  gentleSameSign: number;
}

/** Rates at most this remove few directions, where a first-order estimate can hold. */
export const GENTLE_RATE = 0.4;

/** −Σ σ·g over the directions each block drops (its smallest r_b − k_b; `sigma` is ascending). */
export function predictedChange(spectra: SpectraDocument, c: CandidateRow): number {
  const s = spectra.scores.find((x) => x.matrix === c.matrix && x.blocks === c.blocks);
  if (!s || !c.keptRanks) throw new Error(`first-order: no spectrum or kept ranks for ${c.matrix} K=${c.blocks}`);
  let sum = 0;
  for (const b of s.smallest) {
    const kept = c.keptRanks[b.block];
    if (kept === undefined) throw new Error(`first-order: ${c.matrix} K=${c.blocks} has no kept rank for block ${b.block}`);
    for (let i = 0; i < b.sigma.length - kept; i++) sum += b.sigma[i]! * b.grad[i]!;
  }
  return -sum;
}

/** The union of the candidates c2i evaluated under either sign (same set, so a repeat has the same numbers). */
function distinctCandidates(docs: readonly ResultDocument[]): CandidateRow[] {
  const seen = new Map<string, CandidateRow>();
  for (const d of docs) for (const c of d.candidates) seen.set(`${c.matrix} ${c.blocks} ${c.rate}`, c);
  return [...seen.values()];
}

export function firstOrderCheck(key: { model: string; mode: string; seed: number }, spectra: SpectraDocument, docs: readonly ResultDocument[]): FirstOrderCheck {
  const base = docs[0]!.baseline.selection.loss;
  const rows = distinctCandidates(docs).map((c) => ({ rate: c.rate, predicted: predictedChange(spectra, c), measured: c.loss - base }));
  const gentle = rows.filter((r) => r.rate <= GENTLE_RATE);
  const rho = (rs: typeof rows) => (rs.length < 2 ? NaN : spearman(rs.map((r) => r.predicted), rs.map((r) => r.measured)));
  return {
    ...key, candidates: rows.length, all: rho(rows), gentle: rho(gentle), gentleCount: gentle.length,
    gentleSameSign: gentle.filter((r) => Math.sign(r.predicted) === Math.sign(r.measured)).length,
  };
}

export function firstOrderTable(rows: readonly FirstOrderCheck[]): string[] {
  const lines = [
    `| model | mode | seed | candidates | ρ(predicted, measured ΔL), all | same, rate ≤ ${GENTLE_RATE} | same sign, rate ≤ ${GENTLE_RATE} |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    lines.push(`| ${r.model} | ${r.mode} | ${r.seed} | ${r.candidates} | ${r.all.toFixed(2)} | ${r.gentle.toFixed(2)} | ${r.gentleSameSign}/${r.gentleCount} |`);
  }
  return lines;
}
