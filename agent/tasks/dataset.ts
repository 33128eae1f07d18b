// What a dataset is for the task protocols, and the one place a dataset reference (`name:path`) is dispatched.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { loadJsonlDataset } from "./jsonl.ts";
import type { DatasetLoadOptions } from "./datasets/named.ts";
import { namedDatasetLoaders } from "./datasets/registry.ts";

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
export type DatasetLoader = (path: string, options?: DatasetLoadOptions) => Dataset;

/**
 * Loaders by reference prefix. Named dataset loaders (`counterfact:…`, …) join here; a plain path
 * means `jsonl:`.
 */
export const builtinDatasetLoaders: Readonly<Record<string, DatasetLoader>> = Object.freeze({
  jsonl: loadJsonlDataset,
  ...namedDatasetLoaders(),
});

/** `name:rest` with a name of ≥ 2 characters (so a Windows drive letter is never a loader name). */
const PREFIX = /^([a-z][a-z0-9_-]+):(.+)$/;

/** Load `ref`: `path/to/file.jsonl` or `<loader>:<path>`; a template applies to named datasets only. */
export function loadDataset(
  ref: string,
  loaders: Readonly<Record<string, DatasetLoader>> = builtinDatasetLoaders,
  options: DatasetLoadOptions = {},
): Dataset {
  const match = PREFIX.exec(ref);
  if (!match || match[1] === "jsonl") {
    if (options.template !== undefined) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `a prompt template applies to named datasets (name:path), not to the JSONL file "${ref}"; put the final prompts in its rows`);
    }
    return loaders.jsonl!(match ? match[2]! : ref);
  }
  const [, name, path] = match as unknown as [string, string, string];
  // Own names only: "constructor:x" must not find Object.prototype.constructor.
  const loader = Object.hasOwn(loaders, name) ? loaders[name] : undefined;
  if (!loader) {
    throw new C2iError(
      ErrorCode.DATASET_INVALID,
      `unknown dataset loader "${name}" in "${ref}": known loaders are ${Object.keys(loaders).join(", ")}; a plain path is read as JSONL`,
    );
  }
  return loader(path, options);
}
