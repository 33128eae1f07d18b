// Which edits get evaluated: top-m matrices per block count by σ-gradient score, or every matrix (LASER).
import type { Candidate, CandidateMatrix, MatrixScore } from "../../common/shards.ts";
import { ScoreSign, type SearchSettings } from "./settings.ts";

/** The layer/kind filter of the settings, keeping the model's own order. */
export function filterMatrices(all: readonly CandidateMatrix[], settings: Pick<SearchSettings, "layers" | "kinds">): CandidateMatrix[] {
  return all.filter((m) => (!settings.layers || settings.layers.includes(m.layer)) && (!settings.kinds || settings.kinds.includes(m.kind)));
}

export interface RankedScore extends MatrixScore {
  /** 1 = highest score for this block count. */
  rank: number;
}

/**
 * The score under `sign` from the spectra the agent returned: "negative" keeps the agent's
 * Σ max(−g, 0); "positive" is Σ max(g, 0) over the same smallest singular values of every block.
 */
export function signedScore(score: MatrixScore, sign: ScoreSign): MatrixScore {
  if (sign === ScoreSign.negative) return score;
  const sum = score.smallest.reduce((a, b) => a + b.grad.reduce((c, g) => c + Math.max(g, 0), 0), 0);
  return { ...score, score: sum };
}

/**
 * Rank matrices per block count by score, highest first (METHOD.md "Scoring a matrix");
 * equal scores keep the model's matrix order so the ranking is deterministic.
 */
export function rankScores(scores: readonly MatrixScore[], matrixOrder: ReadonlyMap<string, number>): RankedScore[] {
  const pos = (m: string) => matrixOrder.get(m) ?? Number.MAX_SAFE_INTEGER;
  const sorted = [...scores].sort((a, b) => a.blocks - b.blocks || b.score - a.score || pos(a.matrix) - pos(b.matrix));
  const out: RankedScore[] = [];
  let k = -1;
  let rank = 0;
  for (const s of sorted) {
    rank = s.blocks === k ? rank + 1 : 1;
    k = s.blocks;
    out.push({ ...s, rank });
  }
  return out;
}

/** Algorithm 1 step 4: for each K, the top-m matrices × each rate (K, then rank, then rate ascending). */
export function gradientCandidates(ranked: readonly RankedScore[], settings: Pick<SearchSettings, "blockCounts" | "topM" | "rates">): Candidate[] {
  const out: Candidate[] = [];
  for (const blocks of settings.blockCounts) {
    const top = ranked.filter((s) => s.blocks === blocks && s.rank <= settings.topM).sort((a, b) => a.rank - b.rank);
    for (const s of top) for (const rate of settings.rates) out.push({ matrix: s.matrix, blocks, rate });
  }
  return out;
}

/** LASER: every (filtered) matrix × every rate × every block count, in the model's order. */
export function exhaustiveCandidates(matrices: readonly CandidateMatrix[], settings: Pick<SearchSettings, "blockCounts" | "rates">): Candidate[] {
  const out: Candidate[] = [];
  for (const blocks of settings.blockCounts) {
    for (const m of matrices) for (const rate of settings.rates) out.push({ matrix: m.name, blocks, rate });
  }
  return out;
}

/** METHOD.md's keep rule per block: k_b = max(1, ⌊(1 − ρ)·r_b + 1e-9⌋), blocks of rows differing by at most one. */
export function keptRanks(rows: number, cols: number, blocks: number, rate: number): number[] {
  const out: number[] = [];
  const base = Math.floor(rows / blocks);
  const extra = rows % blocks;
  for (let b = 0; b < blocks; b++) {
    const r = Math.min(base + (b < extra ? 1 : 0), cols);
    out.push(Math.max(1, Math.floor((1 - rate) * r + 1e-9)));
  }
  return out;
}
