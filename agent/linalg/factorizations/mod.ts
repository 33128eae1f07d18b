// Public surface of agent/linalg/factorizations: SVD / FWSVD / ASVD transforms, row groupings, K-subspaces.
export { ClusteringName, FactorizationName, isClusteringName, isFactorizationName, type MatrixTransform, type RowGrouping } from "./types.ts";
export { factorMatrix, factoredSigmaGradients, lowRankParameters, truncateFactored, type FactoredMatrix, type FactorOptions } from "./factorize.ts";
export { fisherRowScale, squaredGradient, type FisherOptions } from "./fisher.ts";
export { accumulateInputs, asvdTransform, AsvdMethod, emptyInputStatistics, type AsvdOptions, type InputStatistics } from "./activation.ts";
export { kSubspaces, defaultSubspaceRank, kSubspacesDefaults, type KSubspacesOptions, type KSubspacesResult } from "./ksubspaces.ts";
export { blocksGrouping, groupingFromAssignment, permuteRows, unpermuteRows } from "./grouping.ts";
export { forwardTransform, gradientTransform, inverseTransform, isIdentityTransform } from "./transform.ts";
export { dampedCholesky } from "./cholesky.ts";
