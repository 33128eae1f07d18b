// Run a phase's shards through the pool with bounded concurrency, in any completion order, skipping stored ones.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";
import type { AgentPool, RunOptions } from "../pool/types.ts";

export interface DispatchOptions {
  /** Shards in flight at once (the pool's capacity). */
  concurrency: number;
  /** Results already stored for this job, by shard id: those shards are not run again. */
  done: ReadonlyMap<string, ShardResult>;
  signal: AbortSignal;
  /** Called once per newly completed shard, before it counts as done (e.g. to store it). */
  onResult: (index: number, result: ShardResult) => Promise<void>;
  run?: Omit<RunOptions, "signal">;
  /** The shard as sent, built when a lane takes it (e.g. an early-stop target tightened by results so far). @default the shard unchanged */
  prepare?: (shard: Shard) => Shard;
}

/** Results in shard order (the order merges read them in), whichever agent finished first. */
export async function dispatchShards(pool: AgentPool, shards: readonly Shard[], options: DispatchOptions): Promise<ShardResult[]> {
  const results: (ShardResult | undefined)[] = shards.map((s) => options.done.get(s.shardId));
  const todo = shards.map((_, i) => i).filter((i) => results[i] === undefined);
  const local = new AbortController();
  const abort = () => local.abort(options.signal.reason);
  if (options.signal.aborted) abort();
  else options.signal.addEventListener("abort", abort, { once: true });
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < todo.length && !local.signal.aborted) {
      const i = todo[next++]!;
      const shard = shards[i]!;
      try {
        const r = await pool.run(options.prepare ? options.prepare(shard) : shard, { ...options.run, signal: local.signal });
        if (r.shardId !== shard.shardId || r.kind !== shard.kind) {
          throw new C2iError(ErrorCode.INTERNAL, `agent answered shard ${shard.shardId} (${shard.kind}) with ${r.shardId} (${r.kind})`);
        }
        await options.onResult(i, r);
        results[i] = r;
      } catch (e) {
        if (failure === undefined) failure = e;
        local.abort(e);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, todo.length)) }, lane));
  } finally {
    options.signal.removeEventListener("abort", abort);
  }
  if (options.signal.aborted) throw abortError(options.signal);
  if (failure !== undefined) throw failure;
  return results as ShardResult[];
}

export function abortError(signal: AbortSignal): unknown {
  const reason = signal.reason;
  if (reason instanceof C2iError) return reason;
  return new C2iError(ErrorCode.JOB_CANCELLED, typeof reason === "string" ? reason : "job cancelled");
}
