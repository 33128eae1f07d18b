// The JobStore seam: where jobs and their completed shard results live (memory, or JetStream KV).
import type { ShardResult } from "../../common/shards.ts";

export const JobState = {
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

export interface JobRecord {
  id: string;
  /** The submitted job spec (see coordinator/plan), stored as plain JSON. */
  spec: Record<string, unknown>;
  state: JobState;
  /** Name of the phase running now, e.g. "score". */
  phase?: string;
  createdAt: string;
  updatedAt: string;
  /** The final result document (result.json) once the job succeeded. */
  result?: Record<string, unknown>;
  error?: string;
  /** Monotonic revision, bumped by every update (the KV revision in JetStream). */
  revision: number;
}

export interface JobStore {
  create(record: Omit<JobRecord, "revision">): Promise<JobRecord>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Read-modify-write with compare-and-set; retried on conflict. */
  update(id: string, change: (current: JobRecord) => JobRecord): Promise<JobRecord>;
  list(): Promise<JobRecord[]>;
  /**
   * Record a completed shard exactly once. Returns false (and changes nothing) when a result for
   * this shard id is already stored, so a retried or duplicated shard is never counted twice.
   */
  putShardResult(jobId: string, result: ShardResult): Promise<boolean>;
  /** Completed shard results of a job, keyed by shard id. */
  shardResults(jobId: string): Promise<Map<string, ShardResult>>;
  close(): Promise<void>;
}
