// Options of the ShardExecutor, apart from its implementation, each default written next to its meaning.
import { silentLogger, type Logger } from "../../common/log.ts";
import { DEFAULT_BATCHING } from "../../common/shards.ts";
import { resolveModelRef } from "../checkpoint/hub.ts";
import { fingerprintCheckpoint } from "../checkpoint/safetensors.ts";
import { loadModel } from "../models/load.ts";
import { loadDataset } from "../tasks/dataset.ts";
import { loadTokenizer } from "../tokenizers/mod.ts";
import type { Svd } from "../linalg/svd/types.ts";
import type { LanguageModel } from "../models/types.ts";
import type { Dataset } from "../tasks/dataset.ts";
import type { Tokenizer } from "../tokenizers/types.ts";

export interface ShardExecutorOptions {
  /** The SVD every factorization uses (`selectSvd` at start-up). */
  svd: Svd;
  /** @default silent */
  logger?: Logger;
  /** Most jobs whose caches are kept; the least recently used job is dropped beyond it. @default 2 */
  maxJobs?: number;
  /**
   * Models kept loaded (weights and SVD factors) when no job uses them, least recently used out, so the next job
   * on the same model (a sweep's next cell) loads and factors nothing again. @default 2
   */
  idleModels?: number;
  /** A job's caches are dropped after this long without a shard for it. @default 600_000 (10 min) */
  jobIdleMs?: number;
  /** Bytes of SVD factors kept per model (float64 U, σ, Vᵀ), least recently used out. @default 1 GiB */
  factorCacheBytes?: number;
  /** Samples per step of an evaluation or gradient pass, for shards whose job names no batching. @default DEFAULT_BATCHING.chunkSize (32) */
  chunkSize?: number;
  /** Sequences per forward pass, for shards whose job names no batching. @default DEFAULT_BATCHING.batchSize (16) */
  batchSize?: number;
  /** Turns a model reference (`dir` or `hf:org/name`) into a local directory. @default agent/checkpoint resolveModelRef */
  resolveModel?: (ref: string) => Promise<string>;
  /** @default agent/models loadModel */
  loadModel?: (dir: string) => Promise<LanguageModel>;
  /** @default agent/tokenizers loadTokenizer */
  loadTokenizer?: (dir: string) => Promise<Tokenizer>;
  /** Reads a dataset reference, with the job's prompt template (named datasets only) when it has one. @default agent/tasks loadDataset */
  loadDataset?: (ref: string, template?: string) => Dataset;
  /**
   * Bound per job on the hidden states kept so an edit of layer ℓ reruns layers ℓ…L only (agent/work/layer-cache.ts);
   * past it fewer layers are kept, 0 turns the cache off. @default 512 MiB
   */
  layerCacheBytes?: number;
  /** @default agent/checkpoint fingerprintCheckpoint */
  fingerprint?: (dir: string) => string;
  /** Clock for idle expiry. @default Date.now */
  now?: () => number;
}

export type ResolvedExecutorOptions = Required<ShardExecutorOptions>;

export function resolveExecutorOptions(options: ShardExecutorOptions): ResolvedExecutorOptions {
  return {
    svd: options.svd,
    logger: options.logger ?? silentLogger(),
    maxJobs: options.maxJobs ?? 2,
    idleModels: options.idleModels ?? 2,
    jobIdleMs: options.jobIdleMs ?? 600_000,
    factorCacheBytes: options.factorCacheBytes ?? 1 << 30,
    chunkSize: options.chunkSize ?? DEFAULT_BATCHING.chunkSize,
    batchSize: options.batchSize ?? DEFAULT_BATCHING.batchSize,
    resolveModel: options.resolveModel ?? ((ref) => resolveModelRef(ref)),
    loadModel: options.loadModel ?? ((dir) => loadModel(dir, { logger: options.logger })),
    loadTokenizer: options.loadTokenizer ?? loadTokenizer,
    loadDataset: options.loadDataset ?? ((ref, template) => loadDataset(ref, undefined, template === undefined ? {} : { template })),
    layerCacheBytes: options.layerCacheBytes ?? 512 * 2 ** 20,
    fingerprint: options.fingerprint ?? fingerprintCheckpoint,
    now: options.now ?? Date.now,
  };
}
