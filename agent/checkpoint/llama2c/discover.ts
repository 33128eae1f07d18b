// Finds llama2.c models on disk: every .bin is classified by its content (legacy or version-1 export, tokenizer), never by its name.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { readLlama2cHeader, type Llama2cConfig, type Llama2cLayout } from "./header.ts";
import { readTokenizerBin } from "./tokenizer-bin.ts";

/** A tokenizer.bin of a 128k vocabulary is a few MiB; larger files are not read whole just to find out. */
const TOKENIZER_MAX_BYTES = 64 << 20;

export type Llama2cFile =
  | { kind: "checkpoint"; path: string; layout: Llama2cLayout }
  | { kind: "tokenizer"; path: string; tokens: number }
  | { kind: "other"; path: string; reason: string };

/**
 * What a file is, by content: a model export whose header (legacy 7 int32, or "ak42" version 1) implies
 * exactly the file's size, as the converter checks; else a tokenizer.bin that parses record by record to
 * exactly the end of the file; else neither.
 */
export function classifyLlama2cFile(path: string): Llama2cFile {
  let notCheckpoint: string;
  try {
    return { kind: "checkpoint", path, layout: readLlama2cHeader(path) };
  } catch (e) {
    if (!(e instanceof C2iError)) throw e;
    notCheckpoint = e.message;
  }
  const size = statSync(path).size;
  if (size > TOKENIZER_MAX_BYTES) return { kind: "other", path, reason: `not a model export (${notCheckpoint}) and too large for a tokenizer` };
  try {
    return { kind: "tokenizer", path, tokens: readTokenizerBin(path).pieces.length };
  } catch (e) {
    if (!(e instanceof C2iError)) throw e;
    return { kind: "other", path, reason: `neither a model export nor a tokenizer (${e.message})` };
  }
}

export interface Llama2cModel {
  /** The folder's name. */
  name: string;
  dir: string;
  /** The legacy export (what llama2.c's run.c reads), if the folder has one. */
  legacy?: string;
  /** The version-1 ("ak42") export, if the folder has one. */
  v1?: string;
  /** The export to convert: the legacy one when there is one, else the version-1 one. */
  checkpoint: string;
  /** The tokenizer whose token count equals the model's vocab_size. */
  tokenizer: string;
  config: Llama2cConfig;
  /** First non-empty line of SOURCE.txt, or "". */
  source: string;
  /** Other .bin files of the folder and why they are not part of the model. */
  ignored: string[];
}

export interface Llama2cDiscovery {
  models: Llama2cModel[];
  /** Folders that hold no usable model, each with the reason. */
  skipped: string[];
}

const sameModel = (a: Llama2cConfig, b: Llama2cConfig) =>
  a.dim === b.dim && a.hiddenDim === b.hiddenDim && a.nLayers === b.nLayers && a.nHeads === b.nHeads &&
  a.nKvHeads === b.nKvHeads && a.vocabSize === b.vocabSize && a.seqLen === b.seqLen && a.sharedClassifier === b.sharedClassifier;

/** One folder → one model: at most one export per version (both of the same model), and one tokenizer of its vocab_size. */
export function readLlama2cFolder(dir: string, name: string): Llama2cModel | string {
  const bins = readdirSync(dir).filter((f) => f.endsWith(".bin") && statSync(join(dir, f)).isFile()).sort();
  if (bins.length === 0) return `${name}: no .bin files`;
  const files = bins.map((f) => classifyLlama2cFile(join(dir, f)));
  const checkpoints = files.filter((f) => f.kind === "checkpoint");
  const legacy = checkpoints.filter((f) => f.layout.config.version === 0);
  const v1 = checkpoints.filter((f) => f.layout.config.version === 1);
  const list = (fs: { path: string }[]) => fs.map((f) => basename(f.path)).join(", ");
  if (checkpoints.length === 0) return `${name}: no llama2.c model export among ${bins.join(", ")}`;
  if (legacy.length > 1 || v1.length > 1) return `${name}: more than one export of the same version (${list(checkpoints)}); keep one model per folder`;
  const config = checkpoints[0]!.layout.config;
  if (!checkpoints.every((f) => sameModel(f.layout.config, config))) return `${name}: the legacy and version-1 exports have different headers (${list(checkpoints)})`;
  const tokenizers = files.filter((f) => f.kind === "tokenizer");
  const matching = tokenizers.filter((f) => f.tokens === config.vocabSize);
  if (matching.length === 0) return `${name}: no llama2.c tokenizer with the model's ${config.vocabSize} tokens among ${bins.join(", ")}`;
  const first = readFileSync(matching[0]!.path);
  if (!matching.every((f) => readFileSync(f.path).equals(first))) return `${name}: several different tokenizers of ${config.vocabSize} tokens (${list(matching)})`;
  const ignored = files.flatMap((f) => {
    const file = basename(f.path);
    if (f.kind === "other") return [`${file}: ${f.reason}`];
    if (f.kind === "tokenizer" && f !== matching[0]) return [f.tokens === config.vocabSize ? `${file}: a copy of ${list([matching[0]!])}` : `${file}: a tokenizer of ${f.tokens} tokens, not the model's ${config.vocabSize}`];
    return [];
  });
  const sourceFile = join(dir, "SOURCE.txt");
  const source = existsSync(sourceFile) ? (readFileSync(sourceFile, "utf8").split("\n").find((l) => l.trim()) ?? "").trim() : "";
  return {
    name, dir, legacy: legacy[0]?.path, v1: v1[0]?.path, checkpoint: (legacy[0] ?? v1[0])!.path,
    tokenizer: matching[0]!.path, config, source, ignored,
  };
}

/** Each subfolder of `root` that holds a llama2.c model (sorted by name); the others are reported in `skipped`. */
export function findLlama2cModels(root: string): Llama2cDiscovery {
  if (!existsSync(root)) throw new C2iError(ErrorCode.NOT_FOUND, `${root} does not exist; expected a folder with one subfolder per llama2.c model`);
  const models: Llama2cModel[] = [];
  const skipped: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory()) continue;
    const found = readLlama2cFolder(dir, name);
    if (typeof found === "string") skipped.push(found);
    else models.push(found);
  }
  return { models, skipped };
}
