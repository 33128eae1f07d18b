// What a dataset is for the task protocols, and the one place a dataset reference (`name:path`) is dispatched.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { loadJsonlDataset } from "./jsonl.ts";

/** prompt → answer: the generative protocol on decoders, the masked protocol on encoders. */
export interface AnswerRow {
  prompt: string;
  answer: string;
  /** 1-based line in the source file, for messages. */
  line: number;
}

/** prompt + choices, `label` indexes the gold choice. */
export interface ChoiceRow {
  prompt: string;
  choices: string[];
  label: number;
  line: number;
}

/** Rows in file order; their indices are what splits and shards refer to. */
export type Dataset =
  | { source: string; protocol: "answer"; rows: AnswerRow[] }
  | { source: string; protocol: "choice"; rows: ChoiceRow[] };

export type DatasetRow = AnswerRow | ChoiceRow;

/** Reads one kind of dataset reference into rows; throws DATASET_INVALID naming file and line. */
export type DatasetLoader = (path: string) => Dataset;

/**
 * Loaders by reference prefix. Named dataset loaders (`counterfact:…`, …) join here; a plain path
 * means `jsonl:`.
 */
export const builtinDatasetLoaders: Readonly<Record<string, DatasetLoader>> = Object.freeze({
  jsonl: loadJsonlDataset,
});

/** `name:rest` with a name of ≥ 2 characters (so a Windows drive letter is never a loader name). */
const PREFIX = /^([a-z][a-z0-9_-]+):(.+)$/;

/** Load `ref`: `path/to/file.jsonl` or `<loader>:<path>`. */
export function loadDataset(ref: string, loaders: Readonly<Record<string, DatasetLoader>> = builtinDatasetLoaders): Dataset {
  const match = PREFIX.exec(ref);
  if (!match) return loaders.jsonl!(ref);
  const [, name, path] = match as unknown as [string, string, string];
  const loader = loaders[name];
  if (!loader) {
    throw new C2iError(
      ErrorCode.DATASET_INVALID,
      `unknown dataset loader "${name}" in "${ref}": known loaders are ${Object.keys(loaders).join(", ")}; a plain path is read as JSONL`,
    );
  }
  return loader(path);
}
