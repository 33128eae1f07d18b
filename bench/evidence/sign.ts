// The score-sign question on one task: where LASER's pick falls in c2i's score list under each sign, how well each
// sign's scores predict LASER's exhaustively measured per-matrix gains, and what each sign's search chose.
import type { Candidate } from "../../common/shards.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import { spread } from "./aggregate.ts";
import { editLabel, pts, SIGNS, type Sign, type TaskRuns } from "./records.ts";

export interface SignView {
  /** Rank (1 = highest score) of LASER's pick among c2i's K = 1 scores; its best rank over every K, with that K. */
  rankK1: number;
  bestRank: { rank: number; blocks: number };
  /** LASER's pick is among the matrices c2i evaluated (top-m at some K). */
  evaluated: boolean;
  /** Spearman correlation of the K = 1 scores with LASER's per-matrix gains (over every matrix). */
  spearman: number;
  /** Mean LASER gain (accuracy, fraction) of c2i's top-m matrices at K = 1. */
  topGain: number;
  chosen: Candidate | null;
  selectionGain: number;
  testGain: number;
}

export interface SignComparison {
  model: string;
  mode: string;
  seed: number;
  /** LASER's chosen candidate, or its best one when none beat the baseline (`laserEdited` false). */
  laserPick: Candidate;
  laserEdited: boolean;
  /** The pick's accuracy minus the unmodified model's, on LASER's validation rows. */
  pickGain: number;
  /** Mean over every matrix of its LASER gain: what a random top-m would score on average. */
  meanGain: number;
  /** Matrices for which some rate beat the unmodified model on LASER's validation rows. */
  helpful: number;
  matrices: number;
  views: Record<Sign, SignView>;
  sameEdit: boolean;
  /** (matrix, K) pairs evaluated under both signs, of those evaluated under one (top-m × block counts). */
  sharedPairs: number;
  pairs: number;
  /** Spearman correlation between the two signs' K = 1 scores. */
  signsSpearman: number;
}

/** Ranks 1…n with ties given their average rank. */
function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's ρ: Pearson correlation of the average ranks (0 when either side is constant). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length < 2) throw new Error(`spearman: need two lists of equal length ≥ 2, got ${a.length} and ${b.length}`);
  const [ra, rb] = [averageRanks(a), averageRanks(b)];
  const mean = (a.length + 1) / 2;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const [da, db] = [ra[i]! - mean, rb[i]! - mean];
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Per matrix: the best accuracy over LASER's rates minus the unmodified model's, both on LASER's validation rows. */
export function laserGains(laser: ResultDocument): Map<string, number> {
  const gains = new Map<string, number>();
  for (const c of laser.candidates) {
    const g = c.accuracy - laser.baseline.selection.accuracy;
    gains.set(c.matrix, Math.max(gains.get(c.matrix) ?? -Infinity, g));
  }
  return gains;
}

/** LASER's chosen edit, or its best candidate (accuracy, then loss) when it kept none. */
function laserPick(laser: ResultDocument): { pick: Candidate; edited: boolean; gain: number } {
  const base = laser.baseline.selection.accuracy;
  if (laser.chosen.candidate) return { pick: laser.chosen.candidate, edited: true, gain: laser.chosen.selection.accuracy - base };
  const best = [...laser.candidates].sort((a, b) => b.accuracy - a.accuracy || a.loss - b.loss)[0];
  if (!best) throw new Error(`LASER result ${laser.job} has no candidates`);
  return { pick: { matrix: best.matrix, blocks: best.blocks, rate: best.rate }, edited: false, gain: best.accuracy - base };
}

const scoresAt = (doc: ResultDocument, blocks: number) => doc.scores.filter((s) => s.blocks === blocks);

function viewOf(doc: ResultDocument, pick: string, gains: ReadonlyMap<string, number>): SignView {
  const k1 = scoresAt(doc, 1);
  const mine = doc.scores.filter((s) => s.matrix === pick).sort((a, b) => a.rank - b.rank || a.blocks - b.blocks);
  const rankK1 = k1.find((s) => s.matrix === pick)?.rank;
  if (rankK1 === undefined || !mine[0]) throw new Error(`c2i result ${doc.job} has no K = 1 score for ${pick}`);
  const topM = doc.settings.topM;
  const top = k1.filter((s) => s.rank <= topM).map((s) => gains.get(s.matrix) ?? 0);
  const withGain = k1.filter((s) => gains.has(s.matrix));
  return {
    rankK1, bestRank: { rank: mine[0].rank, blocks: mine[0].blocks }, evaluated: mine[0].rank <= topM,
    spearman: spearman(withGain.map((s) => s.score), withGain.map((s) => gains.get(s.matrix)!)),
    topGain: spread(top).mean,
    chosen: doc.chosen.candidate,
    selectionGain: doc.chosen.selection.accuracy - doc.baseline.selection.accuracy,
    testGain: doc.chosen.test.accuracy - doc.baseline.test.accuracy,
  };
}

const pairsOf = (doc: ResultDocument) => new Set(doc.candidates.map((c) => `${c.matrix} ${c.blocks}`));

function sameCandidate(a: Candidate | null, b: Candidate | null): boolean {
  return a === null || b === null ? a === b : a.matrix === b.matrix && a.blocks === b.blocks && a.rate === b.rate;
}

export function compareSigns(t: TaskRuns): SignComparison {
  const { pick, edited, gain } = laserPick(t.laser);
  const gains = laserGains(t.laser);
  const views = Object.fromEntries(SIGNS.map((s) => [s, viewOf(t.c2i[s], pick.matrix, gains)])) as Record<Sign, SignView>;
  const neg = new Map(scoresAt(t.c2i.negative, 1).map((s) => [s.matrix, s.score]));
  const pos = scoresAt(t.c2i.positive, 1).filter((s) => neg.has(s.matrix));
  const [negPairs, posPairs] = [pairsOf(t.c2i.negative), pairsOf(t.c2i.positive)];
  return {
    model: t.model, mode: t.mode, seed: t.seed, laserPick: pick, laserEdited: edited, pickGain: gain,
    meanGain: spread([...gains.values()]).mean, helpful: [...gains.values()].filter((g) => g > 0).length, matrices: gains.size,
    views, sameEdit: sameCandidate(views.negative.chosen, views.positive.chosen),
    sharedPairs: [...negPairs].filter((p) => posPairs.has(p)).length, pairs: negPairs.size,
    signsSpearman: spearman(pos.map((s) => neg.get(s.matrix)!), pos.map((s) => s.score)),
  };
}

const rankText = (v: SignView) => `${v.rankK1} (best ${v.bestRank.rank} at K=${v.bestRank.blocks})${v.evaluated ? " ✓" : ""}`;

/** One row per task: LASER's pick and, per sign, its rank in c2i's list, the score–gain correlation and c2i's choice. */
export function signTable(rows: readonly SignComparison[]): string[] {
  const lines = [
    "| model | mode | seed | LASER pick (val gain) | helpful matrices | rank of pick, negative | rank of pick, positive | ρ(score, LASER gain) neg / pos | top-m LASER gain neg / pos / all (pts) | c2i edit, negative | c2i edit, positive | Δ test neg / pos (pts) | ρ(neg, pos scores) | (matrix, K) evaluated by both |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const [n, p] = [r.views.negative, r.views.positive];
    lines.push(`| ${r.model} | ${r.mode} | ${r.seed} | ${editLabel(r.laserPick)} (${pts(r.pickGain)}${r.laserEdited ? "" : ", not kept"}) | ${r.helpful}/${r.matrices} | ` +
      `${rankText(n)} | ${rankText(p)} | ${n.spearman.toFixed(2)} / ${p.spearman.toFixed(2)} | ${pts(n.topGain)} / ${pts(p.topGain)} / ${pts(r.meanGain)} | ` +
      `${editLabel(n.chosen)} | ${editLabel(p.chosen)}${r.sameEdit ? " (same)" : ""} | ${pts(n.testGain)} / ${pts(p.testGain)} | ${r.signsSpearman.toFixed(2)} | ${r.sharedPairs}/${r.pairs} |`);
  }
  return lines;
}

function tally(xs: readonly number[]): string {
  const [better, equal, worse] = [xs.filter((x) => x > 0).length, xs.filter((x) => x === 0).length, xs.filter((x) => x < 0).length];
  return `${better} better, ${equal} equal, ${worse} worse`;
}

/** Per (model, mode): the two signs side by side over the seeds, then the head-to-head counts. */
export function signSummary(rows: readonly SignComparison[]): string[] {
  const groups = new Map<string, SignComparison[]>();
  for (const r of rows) groups.set(`${r.model} ${r.mode}`, [...(groups.get(`${r.model} ${r.mode}`) ?? []), r]);
  const lines = [
    "| model | mode | sign | mean Δ selection acc | mean Δ test acc | rank of LASER's pick at K=1 (per seed) | pick evaluated by c2i | mean ρ(score, LASER gain) | mean top-m LASER gain vs all (pts) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  const verdicts: string[] = [];
  for (const [key, rs] of groups) {
    for (const s of SIGNS) {
      const v = rs.map((r) => r.views[s]);
      const mean = (f: (x: SignView) => number) => spread(v.map(f)).mean;
      lines.push(`| ${rs[0]!.model} | ${rs[0]!.mode} | ${s} | ${pts(mean((x) => x.selectionGain))} | ${pts(mean((x) => x.testGain))} | ` +
        `${v.map((x) => x.rankK1).join(", ")} of ${rs[0]!.matrices} | ${v.filter((x) => x.evaluated).length}/${v.length} | ${mean((x) => x.spearman).toFixed(2)} | ` +
        `${pts(mean((x) => x.topGain))} vs ${pts(spread(rs.map((r) => r.meanGain)).mean)} |`);
    }
    const diff = (f: (x: SignView) => number) => rs.map((r) => f(r.views.positive) - f(r.views.negative));
    verdicts.push(`- ${key}: same edit under both signs in ${rs.filter((r) => r.sameEdit).length}/${rs.length} seeds; positive vs negative on ` +
      `selection accuracy: ${tally(diff((x) => x.selectionGain))}; on test accuracy: ${tally(diff((x) => x.testGain))}.`);
  }
  return [...lines, "", ...verdicts];
}
