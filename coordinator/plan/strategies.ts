// Strategies are data: a preset of settings and the phase list they imply (paper §4, METHOD.md "variants").
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { previewJson } from "../../common/preview.ts";
import { Preselect, SelectionSet, type SearchSettings } from "./settings.ts";

export const PhaseName = {
  prepare: "prepare",
  baseline: "baseline",
  score: "score",
  evaluate: "evaluate",
  finalize: "finalize",
} as const;
export type PhaseName = (typeof PhaseName)[keyof typeof PhaseName];

export interface Strategy {
  name: string;
  summary: string;
  /** Settings this strategy changes from the defaults; the user's settings override these. */
  preset: Partial<SearchSettings>;
}

/** The user-facing strategies and the paper's ablations (Table 3/4 names in the summaries). */
export const strategies = {
  c2i: {
    name: "c2i",
    summary: "Algorithm 1 (CL-100G-100E): σ-gradient scores on 100 samples, top-m per K, evaluate on the 100 samples",
    preset: {},
  },
  laser: {
    name: "laser",
    summary: "LASER: every matrix × every rate at K = 1, evaluated on the first 20% of rows (validation split)",
    preset: { preselect: Preselect.exhaustive, selection: SelectionSet.validation, blockCounts: [1] },
  },
  "grads-std-eval": {
    name: "grads-std-eval",
    summary: "ablation \"grads, std eval\": gradient pre-selection (K = 1), evaluated on LASER's validation split",
    preset: { preselect: Preselect.gradient, selection: SelectionSet.validation, blockCounts: [1] },
  },
  "100-eval": {
    name: "100-eval",
    summary: "ablation \"100 eval\": every matrix × every rate at K = 1, evaluated on the 100 samples",
    preset: { preselect: Preselect.exhaustive, selection: SelectionSet.adapt, blockCounts: [1] },
  },
  "laser-100g-100e": {
    name: "laser-100g-100e",
    summary: "ablation LASER-100G-100E: Algorithm 1 without clustering (K = 1 only)",
    preset: { blockCounts: [1] },
  },
} as const satisfies Record<string, Strategy>;
export type StrategyName = keyof typeof strategies;

export function strategyNamed(name: unknown): Strategy {
  // Own names only: "constructor" or "__proto__" must not find Object's.
  if (typeof name !== "string" || !Object.hasOwn(strategies, name)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `unknown strategy ${previewJson(name)}; choose one of ${Object.keys(strategies).join(", ")}`);
  }
  return (strategies as Record<string, Strategy>)[name]!;
}

/** The phase list a job runs, derived from its settings: no gradient phase without gradient pre-selection. */
export function phasesFor(settings: SearchSettings): PhaseName[] {
  return settings.preselect === Preselect.gradient
    ? [PhaseName.prepare, PhaseName.baseline, PhaseName.score, PhaseName.evaluate, PhaseName.finalize]
    : [PhaseName.prepare, PhaseName.baseline, PhaseName.evaluate, PhaseName.finalize];
}
