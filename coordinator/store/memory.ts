// The embedded JobStore: jobs and shard results in maps, deep-copied in and out so callers cannot mutate it.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { ShardResult } from "../../common/shards.ts";
import type { JobRecord, JobStore } from "./types.ts";

export class MemoryJobStoreImpl implements JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly results = new Map<string, Map<string, ShardResult>>();
  private revision = 0;
  private closed = false;

  private open(): void {
    if (this.closed) throw new C2iError(ErrorCode.INTERNAL, "memory job store used after close()");
  }

  async create(record: Omit<JobRecord, "revision">): Promise<JobRecord> {
    this.open();
    if (this.jobs.has(record.id)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job ${record.id} already exists`);
    const stored: JobRecord = { ...structuredClone(record), revision: ++this.revision };
    this.jobs.set(record.id, stored);
    return structuredClone(stored);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    this.open();
    const r = this.jobs.get(id);
    return r && structuredClone(r);
  }

  async update(id: string, change: (current: JobRecord) => JobRecord): Promise<JobRecord> {
    this.open();
    const current = this.jobs.get(id);
    if (!current) throw new C2iError(ErrorCode.NOT_FOUND, `job ${id} not found in the job store`);
    // Single-threaded: no other writer can run between the read and the write, so the CAS always holds.
    const next = change(structuredClone(current));
    if (next.id !== id) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `job update may not change the id (${id} → ${next.id})`);
    const stored: JobRecord = { ...structuredClone(next), revision: ++this.revision };
    this.jobs.set(id, stored);
    return structuredClone(stored);
  }

  async list(): Promise<JobRecord[]> {
    this.open();
    return [...this.jobs.values()].map((r) => structuredClone(r));
  }

  async putShardResult(jobId: string, result: ShardResult): Promise<boolean> {
    this.open();
    if (!this.jobs.has(jobId)) throw new C2iError(ErrorCode.NOT_FOUND, `job ${jobId} not found: cannot record shard ${result.shardId}`);
    let m = this.results.get(jobId);
    if (!m) this.results.set(jobId, (m = new Map()));
    if (m.has(result.shardId)) return false;
    m.set(result.shardId, structuredClone(result));
    return true;
  }

  async shardResults(jobId: string): Promise<Map<string, ShardResult>> {
    this.open();
    return structuredClone(this.results.get(jobId) ?? new Map<string, ShardResult>());
  }

  async close(): Promise<void> {
    this.closed = true;
    this.jobs.clear();
    this.results.clear();
  }
}
