// The seam between the agent's gRPC server and whatever computes shards (a child process, or a sleep in bench).
import type { LayerCacheCounts, SharedWorkCounts } from "../../common/local-agent-protocol.ts";
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";

export interface RunnerDescription {
  /** tfjs backend in use, e.g. "wasm+blas(Haswell)". */
  backend: string;
  /** SVD implementation, e.g. "lapack-dgesdd". */
  svd: string;
  /** Device description, e.g. "cpu (pid 123)". */
  device: string;
  /** Model refs (as the runner saw them) whose caches are loaded. */
  cachedModels: string[];
  memory: { rssBytes: number; tfBytes: number; tfTensors: number };
  /** The compute process's layer caches, when it reports them. */
  layerCache?: LayerCacheCounts;
  /** What its jobs shared (model loads, SVD factors), when it reports them. */
  sharedWork?: SharedWorkCounts;
  /** Its memory budget and the plans of its cached models (named as `cachedModels`), when it has a budget. */
  memoryBudget?: MemoryBudgetReport;
}

export interface ShardRunner {
  /** Runs one shard; rejects with C2iError (JOB_CANCELLED when `signal` aborts it). */
  run(shard: Shard, signal?: AbortSignal): Promise<ShardResult>;
  describe(): Promise<RunnerDescription>;
  close(): Promise<void>;
}
