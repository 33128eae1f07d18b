// The messages between an in-process AgentPool and a local agent running in a worker thread or child process.
//
// How to start one (coordinator side; never import agent/ code, spawn the entry by URL):
//   worker thread:  new Worker(LOCAL_AGENT_ENTRY, { workerData: options })
//                   messages via worker.postMessage / worker.on("message")
//   child process:  fork(fileURLToPath(LOCAL_AGENT_ENTRY), localAgentChildArgs(options), { serialization: "advanced" })
//                   messages via child.send / child.on("message")
// The agent first sends `ready` (or `fatal` and exits); messages sent before `ready` are kept and handled after
// it. Each `run` ends in exactly one `result` or `error` with the shard's id; shards run one at a time in
// arrival order; `cancel` makes a queued or running shard end early with `error` code JOB_CANCELLED.
// `close` ends the agent after freeing its caches: it replies `closed`, then exits with code 0.
import type { ErrorCode } from "./errors.ts";
import type { MemoryBudgetReport } from "./memory-report.ts";
import type { Shard, ShardResult } from "./shards.ts";

/** The entry file (a .mjs bootstrap that loads the TypeScript through tsx); works under tsx and vitest. */
export const LOCAL_AGENT_ENTRY: URL = new URL("../agent/work/local-agent.mjs", import.meta.url);

/** Start-up options, passed in the spawn data (workerData, or argv for a child). Never read from env. */
export interface LocalAgentOptions {
  /** Name in logs and `info`. */
  agentId: string;
  /** tfjs backend preference. @default "auto" */
  backend?: "auto" | "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
  /** SVD implementation preference. @default "auto" (LAPACK when present, else TypeScript) */
  svd?: "auto" | "lapack" | "typescript";
  /** BLAS-backed matMul kernels on CPU backends. @default "auto" */
  blas?: "auto" | "off";
  /** pino level; logs go to stderr. @default "info" */
  logLevel?: string;
  /** Where `hf:<org>/<name>` models are downloaded. @default ~/.cache/c2i/hub */
  hubCacheDir?: string;
  /** Most jobs whose caches (model, dataset, gradients, SVD factors) are kept at once. @default 2 */
  maxJobs?: number;
  /** A job's caches are dropped after this long without a shard for it. @default 600000 (10 min) */
  jobIdleMs?: number;
  /** Bound per job on the layer cache's hidden states, bytes; 0 turns it off. @default 536870912 (512 MiB) */
  layerCacheBytes?: number;
  /**
   * Memory the agent may plan for one model, bytes: a model whose plan (common/memory-plan.ts) exceeds it is refused
   * before any tensor is read, and the layer cache gets at most what the rest leaves. @default none (no plan)
   */
  memoryBudgetBytes?: number;
}

/** One layer cache's counts (agent/work/layer-cache.ts), or several summed with `addLayerCacheCounts` (an agent's jobs, a pool's agents). */
export interface LayerCacheCounts {
  /** Bytes of hidden states held now. */
  bytes: number;
  /** Sample sets held now. */
  sets: number;
  /** Batches run from a cached layer since the agent started (monotonic, also across dropped jobs). */
  partial: number;
  /** Batches run by the full forward since the agent started (monotonic). */
  full: number;
}

/** Adds `counts` into `total` field by field; returns `total`. */
export function addLayerCacheCounts(total: LayerCacheCounts, counts: LayerCacheCounts): LayerCacheCounts {
  total.bytes += counts.bytes;
  total.sets += counts.sets;
  total.partial += counts.partial;
  total.full += counts.full;
  return total;
}

/** What an agent reports about itself (in `ready` and in reply to `info`). */
export interface LocalAgentDescription {
  agentId: string;
  /** The tfjs backend in use, e.g. "wasm", "wasm+blas", "cpu". */
  backend: string;
  /** The tfjs backend's name alone: "wasm", "cpu" or "tensorflow" (memory plans depend on it). Optional: older agents do not send it. */
  tfBackend?: string;
  /** The SVD in use: "lapack-dgesdd" or "typescript". */
  svd: string;
  blas: boolean;
  pid: number;
  /** "worker" (thread) or "child" (process). */
  mode: "worker" | "child";
  /** Shard ids currently running or queued. */
  inFlight: string[];
  cachedJobs: string[];
  /** Model paths loaded in the caches. */
  cachedModels: string[];
  memory: { rssBytes: number; heapUsedBytes: number; tfBytes: number; tfTensors: number };
  /** The layer caches of the agent's jobs. Optional: older agents do not send it. */
  layerCache?: LayerCacheCounts;
  /** What jobs on the same model shared (loaded weights, SVD factors). Optional: older agents do not send it. */
  sharedWork?: SharedWorkCounts;
  /** The memory budget and the plans of the loaded models. Optional: agents without a budget (and older ones) do not send it. */
  memoryBudget?: MemoryBudgetReport;
}

/** Several agents' layer-cache counts summed (a pool's local agents); agents that do not report them are left out. */
export function sumLayerCache(agents: readonly { layerCache?: LayerCacheCounts }[]): LayerCacheCounts {
  const total: LayerCacheCounts = { bytes: 0, sets: 0, partial: 0, full: 0 };
  for (const a of agents) if (a.layerCache) addLayerCacheCounts(total, a.layerCache);
  return total;
}

/** Several agents' shared-work counts summed (a pool's local agents); agents that do not report them are left out. */
export function sumSharedWork(agents: readonly { sharedWork?: SharedWorkCounts }[]): SharedWorkCounts {
  const total: SharedWorkCounts = { modelHits: 0, modelMisses: 0, factorHits: 0, factorMisses: 0, models: 0, idleModels: 0, factorBytes: 0 };
  for (const a of agents) {
    if (!a.sharedWork) continue;
    for (const k of Object.keys(total) as (keyof SharedWorkCounts)[]) total[k] += a.sharedWork[k];
  }
  return total;
}

/** Work jobs on one model share in an agent: model loads and SVD factor lookups (totals since start), held now. */
export interface SharedWorkCounts {
  /** Jobs that found their model already loaded / had to load it. */
  modelHits: number;
  modelMisses: number;
  /** Per-block SVD factor lookups answered from the cache / computed. */
  factorHits: number;
  factorMisses: number;
  /** Models loaded now, and of those, kept with no job using them. */
  models: number;
  idleModels: number;
  /** Bytes of SVD factors held now. */
  factorBytes: number;
}

export type ToLocalAgent =
  | { type: "run"; shard: Shard }
  | { type: "cancel"; shardId: string }
  | { type: "info" }
  | { type: "drop-job"; jobId: string }
  | { type: "close" };

export type FromLocalAgent =
  | ({ type: "ready" } & LocalAgentDescription)
  | { type: "result"; result: ShardResult }
  | { type: "error"; shardId: string; code: ErrorCode; message: string }
  | ({ type: "info" } & LocalAgentDescription)
  /** Start-up failed (e.g. no backend); the agent exits after sending it. */
  | { type: "fatal"; code: ErrorCode; message: string }
  | { type: "closed" };

/** argv for a child-process agent: the options travel as one JSON argument. */
export function localAgentChildArgs(options: LocalAgentOptions): string[] {
  return ["--c2i-local-agent", JSON.stringify(options)];
}

/** Inverse of `localAgentChildArgs`; `undefined` when argv does not carry agent options. */
export function parseLocalAgentChildArgs(argv: readonly string[]): LocalAgentOptions | undefined {
  const i = argv.indexOf("--c2i-local-agent");
  if (i < 0 || i + 1 >= argv.length) return undefined;
  return JSON.parse(argv[i + 1]!) as LocalAgentOptions;
}
