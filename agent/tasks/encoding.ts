// Pre-tokenises the rows a task run reads, once per (dataset, tokenizer, indices, settings), and keeps the batches.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Tokenizer } from "../tokenizers/types.ts";
import { packBatches, type EncodedBatch } from "./batch.ts";
import type { Dataset } from "./dataset.ts";
import type { EncodedSample, TaskProtocol } from "./protocol.ts";

export interface EncodeTaskOptions {
  batchSize: number;
  maxTokens: number;
  /** The model's vocabulary size: every token id must be below it. */
  vocabSize: number;
}

export interface EncodedTask {
  batches: EncodedBatch[];
  /** Number of samples. */
  n: number;
  /** Samples whose prompt was cut from the left to fit `maxTokens`. */
  truncated: number;
}

function checkIndices(dataset: Dataset, indices: readonly number[]): void {
  if (indices.length === 0) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `no samples selected from ${dataset.source}: the index list is empty`);
  }
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= dataset.rows.length) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `row index ${i} is outside ${dataset.source}, which has ${dataset.rows.length} rows`);
    }
  }
}

function checkVocabulary(sample: EncodedSample, vocabSize: number, tokenizer: Tokenizer, where: string): void {
  for (const seq of sample.sequences) {
    for (const id of seq.ids) {
      if (id < 0 || id >= vocabSize) {
        throw new C2iError(
          ErrorCode.SHAPE_MISMATCH,
          `${where}: the tokenizer in ${tokenizer.source} produced token id ${id}, but the model's vocabulary has ${vocabSize} tokens; tokenizer and model do not belong together`,
        );
      }
    }
  }
}

/** Encode the selected rows (in `indices` order) and pack them into batches. */
export function encodeTask(protocol: TaskProtocol, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], options: EncodeTaskOptions): EncodedTask {
  checkIndices(dataset, indices);
  let truncated = 0;
  const samples = indices.map((i) => {
    const row = dataset.rows[i]!;
    const where = `${dataset.source}:${row.line}`;
    const sample = protocol.encode(row, { tokenizer, maxTokens: options.maxTokens, where });
    checkVocabulary(sample, options.vocabSize, tokenizer, where);
    if (sample.dropped > 0) truncated++;
    return sample;
  });
  return { batches: packBatches(samples, options.batchSize, padIdOf(tokenizer)), n: samples.length, truncated };
}

function padIdOf(tokenizer: Tokenizer): number {
  return tokenizer.pad ?? tokenizer.eos ?? 0;
}

/** The samples of `task` packed again into batches of at most `batchSize` sequences, without tokenising them again. */
export function repackTask(task: EncodedTask, batchSize: number, tokenizer: Tokenizer): EncodedTask {
  const samples: EncodedSample[] = new Array(task.n);
  for (const batch of task.batches) batch.samples.forEach((sample, i) => (samples[batch.slots[i]!] = sample));
  return { ...task, batches: packBatches(samples, batchSize, padIdOf(tokenizer)) };
}

/**
 * Encoded tasks keyed by dataset and tokenizer identity (weakly: they go when the dataset does),
 * then by protocol, settings and indices; at most `maxEntries` (default 64) per (dataset, tokenizer), least recently used out.
 */
export class EncodingCache {
  private readonly byDataset = new WeakMap<Dataset, WeakMap<Tokenizer, Map<string, EncodedTask>>>();

  constructor(private readonly maxEntries = 64) {}

  get(protocol: TaskProtocol, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], options: EncodeTaskOptions): { task: EncodedTask; fresh: boolean } {
    let byTokenizer = this.byDataset.get(dataset);
    if (!byTokenizer) this.byDataset.set(dataset, (byTokenizer = new WeakMap()));
    let entries = byTokenizer.get(tokenizer);
    if (!entries) byTokenizer.set(tokenizer, (entries = new Map()));
    const key = `${protocol.encodingKey}|${options.batchSize}|${options.maxTokens}|${options.vocabSize}|${indices.join(",")}`;
    const hit = entries.get(key);
    if (hit) {
      entries.delete(key);
      entries.set(key, hit);
      return { task: hit, fresh: false };
    }
    const task = encodeTask(protocol, tokenizer, dataset, indices, options);
    entries.set(key, task);
    if (entries.size > this.maxEntries) entries.delete(entries.keys().next().value!);
    return { task, fresh: true };
  }
}
