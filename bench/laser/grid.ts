// Pure counting for the c2i-vs-LASER bench: the candidate grids of both searches on a shape, which layers the LASER
// sample takes, and LASER's whole search extrapolated from the sample (METHOD.md, "The search" and its variants).
import { CANDIDATE_TABLE, type ArchId } from "../../agent/models/candidates.ts";
import { chooseLayers, layersRerun } from "../../agent/work/layer-cache-plan.ts";
import { defaultSettings, type SearchSettings } from "../../coordinator/plan/settings.ts";

/** Candidate matrices per layer of an architecture, from the engine's own table (agent/models/candidates.ts). */
export function matricesPerLayer(modelType: string): number {
  if (!Object.hasOwn(CANDIDATE_TABLE, modelType)) throw new Error(`no candidate table for model_type "${modelType}"; known: ${Object.keys(CANDIDATE_TABLE).join(", ")}`);
  return CANDIDATE_TABLE[modelType as ArchId].length;
}

export interface LaserGrid {
  layers: number;
  perLayer: number;
  matrices: number;
  rates: number;
  /** matrices × rates: every candidate LASER evaluates on its validation split. */
  candidates: number;
}

/**
 * LASER's full search (`--strategy laser` without a layer/kind filter, METHOD.md "variants"): every candidate matrix ×
 * every rate of the grid, at K = 1.
 */
export function laserGrid(modelType: string, layers: number, rates: number = defaultSettings.rates.length): LaserGrid {
  const perLayer = matricesPerLayer(modelType);
  return { layers, perLayer, matrices: layers * perLayer, rates, candidates: layers * perLayer * rates };
}

/** c2i's candidates (Algorithm 1 step 4): for each block count K, the top-m matrices × each rate. */
export function c2iCandidates(s: Pick<SearchSettings, "blockCounts" | "topM" | "rates"> = defaultSettings): number {
  return s.blockCounts.length * s.topM * s.rates.length;
}

/** `n` distinct layers spread evenly over 0…layers−1, the first and the last included when n ≥ 2. */
export function sampleLayers(layers: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1 || n > layers) throw new Error(`a sample of ${n} layers does not fit a ${layers}-layer model`);
  if (n === 1) return [Math.floor((layers - 1) / 2)];
  return Array.from({ length: n }, (_, i) => Math.round((i * (layers - 1)) / (n - 1)));
}

/**
 * The share of a full forward an edit reruns, averaged over the layers, when every layer's input is cached: an edit of
 * layer ℓ reruns ℓ…L−1 (agent/work/layer-cache-plan.ts), so ≈ (L+1)/2L, bench/sweep's bound on the layer cache's saving.
 */
export function meanRerunShare(layers: number): number {
  const kept = chooseLayers(layers, layers);
  let rerun = 0;
  for (let l = 0; l < layers; l++) rerun += layersRerun(layers, kept, l);
  return rerun / (layers * layers);
}

export interface LaserSample {
  /** Candidates the sample evaluated, one per evaluate shard, spread evenly over the agents. */
  candidates: number;
  agents: number;
  /** Wall seconds of the sample's evaluate phase. */
  evaluateS: number;
  /** Wall seconds of LASER's own phases before its candidates, paid once: prepare, and the baseline on the validation split. */
  prepareS: number;
  baselineS: number;
}

export interface LaserExtrapolation {
  /** Agent-seconds per candidate: its SVD and one full forward over the validation split (no layer cache). */
  perCandidateS: number;
  /** The whole grid's evaluate phase on the sample's agents. */
  evaluateS: number;
  /** prepare + baseline + evaluate: `--strategy laser`, every candidate a full forward over the validation split. */
  searchS: number;
  /** The same with every layer's input cached (modelled: evaluate × meanRerunShare), the least an in-engine LASER could pay. */
  cachedSearchS: number;
  /**
   * As LASER's published code runs it (modelled): every candidate, and the baseline, evaluated on every row, the
   * validation split taken from the predictions afterwards; baseline and evaluate × `everyRowFactor`.
   */
  everyRowSearchS: number;
}

/**
 * LASER's whole search from a sample of single-candidate shards: per-candidate cost × the grid ÷ agents, plus its own
 * prepare and baseline. `everyRowFactor` is the work of all rows over that of the validation split (tokens).
 */
export function extrapolateLaser(sample: LaserSample, grid: LaserGrid, everyRowFactor: number): LaserExtrapolation {
  if (sample.candidates % sample.agents !== 0) throw new Error(`${sample.candidates} sampled candidates do not spread evenly over ${sample.agents} agents`);
  const perCandidateS = (sample.evaluateS * sample.agents) / sample.candidates;
  const evaluateS = (perCandidateS * grid.candidates) / sample.agents;
  const fixedS = sample.prepareS + sample.baselineS;
  return {
    perCandidateS,
    evaluateS,
    searchS: fixedS + evaluateS,
    cachedSearchS: fixedS + evaluateS * meanRerunShare(grid.layers),
    everyRowSearchS: sample.prepareS + (sample.baselineS + evaluateS) * everyRowFactor,
  };
}
