// Public surface of agent/tasks: datasets, protocols, and running a task on a model.
export { builtinDatasetLoaders, loadDataset, type AnswerRow, type ChoiceRow, type Dataset, type DatasetLoader, type DatasetRow } from "./dataset.ts";
export { ProtocolName, type TaskProtocol, type EncodedSample, type EncodedSequence, type SampleOutcome } from "./protocol.ts";
export { protocolFor, protocolName, type ProtocolOptions } from "./select.ts";
export { MASK_PLACEHOLDER } from "./masked.ts";
export { EncodingCache, encodeTask, type EncodedTask } from "./encoding.ts";
export { evaluateTask, gradientPass, type GradientPassResult, type SampleResult, type TaskEvaluation, type TaskRunOptions } from "./run.ts";
export { namedDatasets } from "./datasets/registry.ts";
export type { DatasetLoadOptions, NamedDataset } from "./datasets/named.ts";
