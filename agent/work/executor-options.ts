// Options of the ShardExecutor, apart from its implementation, each default written next to its meaning.
import * as tf from "@tensorflow/tfjs";
import { silentLogger, type Logger } from "../../common/log.ts";
import { DEFAULT_BATCHING } from "../../common/shards.ts";
import { resolveModelRef } from "../checkpoint/hub.ts";
import { fingerprintCheckpoint } from "../checkpoint/safetensors.ts";
import { DEFAULT_FACTOR_CACHE_BYTES, type MemoryPlan } from "../../common/memory-plan.ts";
import { hostKernelActive } from "../compute/blas/host-matmul.ts";
import { loadModel } from "../models/load.ts";
import { planEngine, readMemoryPlan, type MemoryPlanOptions } from "../models/memory-plan.ts";
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
  /**
   * Memory this agent may plan for one model (common/memory-plan.ts): before a job's model is loaded its plan
   * (weights, scratch, activations, layer cache) is made from config.json and the checkpoint header; a plan beyond
   * the budget is refused (INVALID_ARGUMENT naming each part) before any tensor is read, the job's layer cache gets
   * at most what the rest leaves, and idle models are freed to make room. Micro-batches never depend on it.
   * @default none: no plan, no refusal (the CLI passes `--memory-gib`, 80% of the machine's memory by default)
   */
  memoryBudgetBytes?: number;
  /** The plan of a checkpoint directory. @default agent/models readMemoryPlan on the active backend */
  planMemory?: (dir: string, options: Omit<MemoryPlanOptions, "engine">) => MemoryPlan;
  /** @default agent/checkpoint fingerprintCheckpoint */
  fingerprint?: (dir: string) => string;
  /** Clock for idle expiry. @default Date.now */
  now?: () => number;
}

export type ResolvedExecutorOptions = Required<ShardExecutorOptions>;

/** The layer cache's bound per job when none is given: 512 MiB. */
export const DEFAULT_LAYER_CACHE_BYTES = 512 * 2 ** 20;

/** A checkpoint's plan on the backend this process computes with. */
function planOnActiveBackend(dir: string, options: Omit<MemoryPlanOptions, "engine">): MemoryPlan {
  return readMemoryPlan(dir, { ...options, engine: planEngine(tf.getBackend(), hostKernelActive()) });
}

export function resolveExecutorOptions(options: ShardExecutorOptions): ResolvedExecutorOptions {
  return {
    svd: options.svd,
    logger: options.logger ?? silentLogger(),
    maxJobs: options.maxJobs ?? 2,
    idleModels: options.idleModels ?? 2,
    jobIdleMs: options.jobIdleMs ?? 600_000,
    factorCacheBytes: options.factorCacheBytes ?? DEFAULT_FACTOR_CACHE_BYTES,
    chunkSize: options.chunkSize ?? DEFAULT_BATCHING.chunkSize,
    batchSize: options.batchSize ?? DEFAULT_BATCHING.batchSize,
    resolveModel: options.resolveModel ?? ((ref) => resolveModelRef(ref)),
    loadModel: options.loadModel ?? ((dir) => loadModel(dir, { logger: options.logger })),
    loadTokenizer: options.loadTokenizer ?? loadTokenizer,
    loadDataset: options.loadDataset ?? ((ref, template) => loadDataset(ref, undefined, template === undefined ? {} : { template })),
    layerCacheBytes: options.layerCacheBytes ?? DEFAULT_LAYER_CACHE_BYTES,
    memoryBudgetBytes: options.memoryBudgetBytes ?? Number.POSITIVE_INFINITY,
    planMemory: options.planMemory ?? planOnActiveBackend,
    fingerprint: options.fingerprint ?? fingerprintCheckpoint,
    now: options.now ?? Date.now,
  };
}
