// c2i's measured search against LASER's search extrapolated from its sample, on one shape: which phases count as search.
import { PhaseName } from "../../coordinator/plan/strategies.ts";
import { extrapolateLaser, type LaserExtrapolation, type LaserGrid } from "./grid.ts";
import { phaseSeconds, type AdaptRun } from "./runs.ts";

/**
 * The search: every phase before the held-out test evaluation. The baseline phase also evaluates the unedited model on
 * the test set, in its own shard on the other agent beside the selection set's: with the test set no larger than the
 * selection set it does not lengthen the phase.
 */
const SEARCH: readonly string[] = [PhaseName.prepare, PhaseName.baseline, PhaseName.score, PhaseName.evaluate];
/** The chosen edit on the test set (no shard when the search keeps "no edit"). */
const TEST: readonly string[] = [PhaseName.finalize];

export interface Comparison {
  c2i?: { searchS: number; testS: number };
  laser?: LaserExtrapolation & { sampledCandidates: number };
  /** LASER search ÷ c2i search, LASER as `--strategy laser` runs it: a full forward over the validation split per candidate. */
  speedUp?: number;
  /** The same with LASER's forward starting at the edited layer (every layer's input cached; modelled). */
  cachedSpeedUp?: number;
  /** The same with LASER evaluating every row for every candidate, as its published code does (modelled). */
  everyRowSpeedUp?: number;
}

/** `everyRowFactor`: the work of every row over that of LASER's validation split (its tokens). */
export function compare(c2i: AdaptRun, laser: AdaptRun, grid: LaserGrid, agents: number, everyRowFactor: number): Comparison {
  const out: Comparison = {};
  if (c2i.status === "completed") out.c2i = { searchS: phaseSeconds(c2i, SEARCH), testS: phaseSeconds(c2i, TEST) };
  if (laser.status === "completed") {
    const seconds = (phase: PhaseName) => phaseSeconds(laser, [phase]);
    const sample = { candidates: laser.candidates!, agents, evaluateS: seconds(PhaseName.evaluate), prepareS: seconds(PhaseName.prepare), baselineS: seconds(PhaseName.baseline) };
    out.laser = { ...extrapolateLaser(sample, grid, everyRowFactor), sampledCandidates: sample.candidates };
  }
  if (out.c2i && out.laser) {
    out.speedUp = out.laser.searchS / out.c2i.searchS;
    out.cachedSpeedUp = out.laser.cachedSearchS / out.c2i.searchS;
    out.everyRowSpeedUp = out.laser.everyRowSearchS / out.c2i.searchS;
  }
  return out;
}
