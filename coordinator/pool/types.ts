// The AgentPool seam: the scheduler hands shards to agents through this, in-process or over gRPC.
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import type { EvaluateResult, EvaluateShard, PrepareResult, PrepareShard, ScoreResult, ScoreShard, Shard, ShardResult } from "../../common/shards.ts";

export interface AgentInfo {
  id: string;
  /** gRPC address, or "in-process". */
  address: string;
  /** tfjs backend in use, e.g. "wasm", "cpu+blas", "tensorflow (GPU)". */
  backend: string;
  svd: string;
  state: "idle" | "busy" | "lost";
  inFlight: number;
  capacity: number;
  cachedModels: string[];
  /** The agent's memory budget and its cached models' plans (common/memory-plan.ts); absent when it reports none. */
  memoryBudget?: MemoryBudgetReport;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Per-shard deadline in milliseconds. */
  deadlineMs?: number;
  /** Called when a shard is retried on another agent (for metrics and logs). */
  onRetry?: (shardId: string, attempt: number, reason: string) => void;
}

export type ResultOf<S extends Shard> = S extends PrepareShard
  ? PrepareResult
  : S extends ScoreShard ? ScoreResult : S extends EvaluateShard ? EvaluateResult : ShardResult;

export interface AgentPool {
  run<S extends Shard>(shard: S, options?: RunOptions): Promise<ResultOf<S>>;
  agents(): AgentInfo[];
  close(): Promise<void>;
}
