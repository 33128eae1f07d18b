// Uniform compression (seed 003): every chosen matrix truncated to the same rank ratio by svd, fwsvd or asvd.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { silentLogger, type Logger } from "../../common/log.ts";
import { asvdTransform, type AsvdOptions } from "../linalg/factorizations/activation.ts";
import { factorMatrix, lowRankParameters, truncateFactored } from "../linalg/factorizations/factorize.ts";
import { fisherRowScale } from "../linalg/factorizations/fisher.ts";
import type { KSubspacesOptions } from "../linalg/factorizations/ksubspaces.ts";
import { ClusteringName, FactorizationName, type MatrixTransform } from "../linalg/factorizations/types.ts";
import { fromFloat32 } from "../linalg/matrix.ts";
import type { Svd } from "../linalg/svd/types.ts";
import type { LanguageModel, MatrixInfo } from "../models/types.ts";
import type { Dataset } from "../tasks/dataset.ts";
import { evaluateTask, type TaskRunOptions } from "../tasks/run.ts";
import type { Tokenizer } from "../tokenizers/types.ts";
import { fisherSquares, inputStatistics } from "./statistics.ts";

export const LayerSelection = {
  /** MLP matrices only (mlp_in, mlp_gate, mlp_out), as seed 003 compresses */
  mlp: "mlp",
  all: "all",
} as const;
export type LayerSelection = (typeof LayerSelection)[keyof typeof LayerSelection];

export interface CompressOptions {
  /** Fraction of each matrix's (each part's) rank kept, in (0, 1]: k = max(1, ⌊ratio·r⌋). */
  ratio: number;
  /** @default "svd" */
  factorization?: FactorizationName;
  /** @default "mlp" */
  layers?: LayerSelection;
  /** Parts per matrix (K). @default 1 (the compression papers' single SVD) */
  blocks?: number;
  /** @default "blocks" */
  clustering?: ClusteringName;
  kSubspaces?: Omit<KSubspacesOptions, "parts">;
  svd: Svd;
  /** Dataset rows the statistics come from (FWSVD gradients, ASVD inputs). @default none (svd only) */
  calibration?: readonly number[];
  /** Dataset rows accuracy and loss are measured on, before and after. @default none */
  evaluation?: readonly number[];
  /** @default {} */
  run?: TaskRunOptions;
  /** @default ASVD's scaling variant, α = 0.5 */
  asvd?: AsvdOptions;
  /** Samples per squared gradient in the Fisher estimate. @default 1 (per-sample empirical Fisher) */
  fisherChunk?: number;
  /** @default silent */
  logger?: Logger;
}

export interface MatrixCompression {
  name: string;
  rows: number;
  cols: number;
  keptRanks: number[];
  /** rows × cols */
  denseParameters: number;
  /** Σ_b k_b (rows_b + cols): what the stored low-rank factors need */
  lowRankParameters: number;
}

export interface Measured {
  accuracy: number;
  /** Mean per-sample loss (METHOD.md) */
  loss: number;
  /** exp(loss): the answers' perplexity */
  perplexity: number;
  n: number;
}

export interface CompressReport {
  ratio: number;
  factorization: FactorizationName;
  clustering: ClusteringName;
  blocks: number;
  layers: LayerSelection;
  matrices: MatrixCompression[];
  parameters: {
    /** Every candidate matrix of the model, dense */
    candidates: number;
    compressedDense: number;
    compressedLowRank: number;
    /** candidates − compressedDense + compressedLowRank */
    candidatesAfter: number;
  };
  before?: Measured;
  after?: Measured;
  timings: Record<string, number>;
}

const MLP_KINDS: ReadonlySet<string> = new Set(["mlp_in", "mlp_gate", "mlp_out"]);

export function selectMatrices(candidates: readonly MatrixInfo[], layers: LayerSelection): MatrixInfo[] {
  return candidates.filter((c) => layers === LayerSelection.all || MLP_KINDS.has(c.kind));
}

function measure(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], run: TaskRunOptions): Measured {
  const r = evaluateTask(model, tokenizer, dataset, indices, run);
  return { accuracy: r.accuracy, loss: r.loss, perplexity: Math.exp(r.loss), n: r.n };
}

/**
 * Compresses `model` in place (statistics read from the original weights first) and reports parameters
 * and, with `evaluation` rows, accuracy/loss before and after. Returns the new weights (rows = outputs).
 */
export function compressModel(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset | undefined, options: CompressOptions): { report: CompressReport; weights: Map<string, Float32Array> } {
  const logger = options.logger ?? silentLogger();
  const factorization = options.factorization ?? FactorizationName.svd;
  const layers = options.layers ?? LayerSelection.mlp;
  const blocks = options.blocks ?? 1;
  const clustering = options.clustering ?? ClusteringName.blocks;
  const run = options.run ?? {};
  if (!(options.ratio > 0 && options.ratio <= 1)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `compression ratio ${options.ratio} must be in (0, 1]: the fraction of rank kept`);
  const calibration = options.calibration ?? [];
  if (factorization !== FactorizationName.svd && (dataset === undefined || calibration.length === 0)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${factorization} needs calibration samples from a dataset (--dataset); plain svd does not`);
  }
  const chosen = selectMatrices(model.candidates, layers);
  if (chosen.length === 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `no ${layers} matrices among this ${model.config.modelType} model's candidates`);
  const names = chosen.map((c) => c.name);
  const timings: Record<string, number> = {};
  const time = <T>(key: string, f: () => T): T => {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      timings[key] = (timings[key] ?? 0) + performance.now() - t0;
    }
  };
  const evaluation = options.evaluation ?? [];
  const before = dataset && evaluation.length > 0 ? time("evaluateBeforeMs", () => measure(model, tokenizer, dataset, evaluation, run)) : undefined;
  const transforms = new Map<string, MatrixTransform>();
  if (factorization === FactorizationName.fwsvd) {
    const squares = time("fisherMs", () => fisherSquares(model, tokenizer, dataset!, calibration, names, { chunk: options.fisherChunk ?? 1, run }));
    for (const c of chosen) transforms.set(c.name, { rowScale: fisherRowScale(squares.get(c.name)!, c.rows, c.cols) });
  } else if (factorization === FactorizationName.asvd) {
    const withGram = (options.asvd?.method ?? "scale") === "cholesky";
    const stats = time("activationsMs", () => inputStatistics(model, tokenizer, dataset!, calibration, names, { run, withGram }));
    for (const c of chosen) transforms.set(c.name, asvdTransform(stats.get(c.name)!, options.asvd));
  }
  const weights = new Map<string, Float32Array>();
  const matrices: MatrixCompression[] = [];
  const rate = 1 - options.ratio;
  for (const c of chosen) {
    // Read one matrix at a time (each candidate is its own weight): holding every original would double the chosen weights' memory.
    const original = fromFloat32(c.rows, c.cols, model.readMatrix(c.name));
    const f = time("svdMs", () =>
      factorMatrix(original, options.svd, { blocks, transform: transforms.get(c.name), clustering, kSubspaces: options.kSubspaces }),
    );
    const { weight, keptRanks } = time("truncateMs", () => truncateFactored(f, Math.max(0, rate)));
    model.writeMatrix(c.name, weight);
    weights.set(c.name, weight);
    matrices.push({ name: c.name, rows: c.rows, cols: c.cols, keptRanks, denseParameters: c.rows * c.cols, lowRankParameters: lowRankParameters(f, keptRanks) });
    logger.debug({ matrix: c.name, keptRanks }, "compressed");
  }
  const after = dataset && evaluation.length > 0 ? time("evaluateAfterMs", () => measure(model, tokenizer, dataset, evaluation, run)) : undefined;
  const candidates = model.candidates.reduce((s, c) => s + c.rows * c.cols, 0);
  const compressedDense = matrices.reduce((s, m) => s + m.denseParameters, 0);
  const compressedLowRank = matrices.reduce((s, m) => s + m.lowRankParameters, 0);
  const report: CompressReport = {
    ratio: options.ratio,
    factorization,
    clustering,
    blocks,
    layers,
    matrices,
    parameters: { candidates, compressedDense, compressedLowRank, candidatesAfter: candidates - compressedDense + compressedLowRank },
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    timings,
  };
  return { report, weights };
}
