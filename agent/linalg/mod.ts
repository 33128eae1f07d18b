// Public surface of agent/linalg: matrices, the SVD seam and its implementations, block-first factorization, workers.
export { type Matrix, fromFloat32, toFloat32, matrix, zeros, transpose, rowSlice, multiply, frobeniusNorm } from "./matrix.ts";
export type { PartialSvd, Svd, SvdResult, SvdPreference } from "./svd/types.ts";
export { SvdName } from "./svd/types.ts";
export { selectSvd, type SelectSvdOptions } from "./svd/select.ts";
export { TypeScriptSvd, type TypeScriptSvdOptions } from "./svd/typescript.ts";
export { LapackSvd, loadLapackSvd, type LapackSvdOptions } from "./svd/lapack.ts";
export { SmallestSvd, loadSmallestSvd, type SmallestSvdOptions } from "./svd/smallest.ts";
export { canonicalizeSigns } from "./svd/signs.ts";
export { type BlockFactors, type RowRange, blockRanges, factorBlocks } from "./blocks.ts";
export { type MatrixScore, type SigmaGradientOptions, scoreMatrix, sigmaGradients } from "./gradients.ts";
export { keptRank, truncateBlocks } from "./truncate.ts";
export { SvdWorkers, type SvdWorkersOptions } from "./parallel.ts";
export { type Gemm, SigmaProjection, sigmaProbes, type SigmaProbePart, type SigmaProbes } from "./sigma-projection.ts";
