// The embedded AgentPool: N local agents (child processes or worker threads), shards to the least-loaded one.
import { availableParallelism } from "node:os";
import { C2iError, ErrorCode, isC2iError } from "../../common/errors.ts";
import { silentLogger, type Logger } from "../../common/log.ts";
import type { LocalAgentDescription, LocalAgentOptions } from "../../common/local-agent-protocol.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";
import { LocalAgentMode, openChannel } from "../../common/local-agent-channel.ts";
import { LocalAgent } from "./local-agent.ts";
import { chooseAgent, nextJob, type WaitingJob } from "./scheduling/choose.ts";
import type { AgentInfo, AgentPool, ResultOf, RunOptions } from "./types.ts";

export interface LocalPoolOptions {
  /** Number of agents. @default one per core (os.availableParallelism()) */
  agents?: number;
  /** Child processes isolate crashes and memory; threads start faster. @default "child" */
  mode?: LocalAgentMode;
  /** Shards one agent is given at once (agents compute one at a time). @default 1 */
  capacity?: number;
  /** Agent start-up options; `agentId` is filled in per agent. @default {} */
  agent?: Omit<LocalAgentOptions, "agentId">;
  /** Times a shard is tried when its agent dies under it (a fresh agent replaces the dead one). @default 2 */
  maxAttempts?: number;
  /** Longest wait for an agent's `ready`. @default 120000 */
  startTimeoutMs?: number;
  /** Agent entry file. @default LOCAL_AGENT_ENTRY */
  entry?: URL;
  /** Forward agent logs (stderr). @default true */
  inheritStderr?: boolean;
  logger?: Logger;
}

interface Waiting {
  shard: Shard;
  options: RunOptions;
  attempt: number;
  /** Arrival order (fair share: among equal jobs, the longest waiting). */
  order: number;
  resolve: (r: ShardResult) => void;
  reject: (e: unknown) => void;
}

export class LocalAgentPoolImpl implements AgentPool {
  private readonly agentsList: LocalAgent[] = [];
  private readonly queue: Waiting[] = [];
  /** Fair share between jobs (scheduling/choose.ts nextJob): shards running per job, when each was last served. */
  private readonly runningByJob = new Map<string, number>();
  private readonly lastServed = new Map<string, number>();
  /** Model refs each agent has run shards of: its caches hold them (affinity, scheduling/choose.ts chooseAgent). */
  private readonly modelsOf = new Map<LocalAgent, Set<string>>();
  private order = 0;
  private serial = 0;
  private readonly logger: Logger;
  private closed = false;
  private spawned = 0;

  private constructor(private readonly options: Required<Pick<LocalPoolOptions, "agents" | "mode" | "capacity" | "maxAttempts" | "startTimeoutMs">> & LocalPoolOptions) {
    this.logger = options.logger ?? silentLogger();
  }

  /** Start the agents and wait until every one is ready; a failed start closes those already up. */
  static async start(options: LocalPoolOptions = {}): Promise<LocalAgentPoolImpl> {
    const agents = options.agents ?? availableParallelism();
    if (!Number.isInteger(agents) || agents < 1) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `local pool: agents must be an integer ≥ 1, got ${agents}`);
    const pool = new LocalAgentPoolImpl({
      ...options,
      agents,
      mode: options.mode ?? LocalAgentMode.child,
      capacity: options.capacity ?? 1,
      maxAttempts: options.maxAttempts ?? 2,
      startTimeoutMs: options.startTimeoutMs ?? 120_000,
    });
    try {
      await Promise.all(Array.from({ length: agents }, () => pool.spawn()));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private async spawn(): Promise<LocalAgent> {
    const n = this.spawned++;
    // Each agent computes with one OpenBLAS thread (agent/compute/blas/library.ts COMPUTE_THREADS), so N agents use N cores.
    const agentOptions: LocalAgentOptions = { ...this.options.agent, agentId: `local-${n}` };
    const channel = openChannel({
      mode: this.options.mode,
      agent: agentOptions,
      ...(this.options.entry ? { entry: this.options.entry } : {}),
      ...(this.options.inheritStderr !== undefined ? { inheritStderr: this.options.inheritStderr } : {}),
    });
    const agent = new LocalAgent(agentOptions.agentId, channel, this.options.capacity, {
      onLost: (a, lost) => this.onAgentLost(a, lost),
      onFree: () => this.pump(),
    });
    this.agentsList.push(agent);
    let description: LocalAgentDescription;
    try {
      description = await agent.ready(this.options.startTimeoutMs);
    } catch (e) {
      const i = this.agentsList.indexOf(agent);
      if (i >= 0) this.agentsList.splice(i, 1);
      await agent.close();
      throw e;
    }
    this.logger.info({ agent: description.agentId, backend: description.backend, svd: description.svd, mode: description.mode }, "local agent ready");
    this.pump();
    return agent;
  }

  run<S extends Shard>(shard: S, options: RunOptions = {}): Promise<ResultOf<S>> {
    if (this.closed) return Promise.reject(new C2iError(ErrorCode.INTERNAL, "local agent pool is closed"));
    if (options.signal?.aborted) return Promise.reject(cancelled(shard, options.signal));
    return new Promise<ShardResult>((resolve, reject) => {
      // While queued, an abort removes the shard here; once dispatched the agent handle owns cancellation.
      const onAbort = () => {
        const i = this.queue.indexOf(w);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(cancelled(shard, options.signal!));
        }
      };
      const unlisten = () => options.signal?.removeEventListener("abort", onAbort);
      const w: Waiting = { shard, options, attempt: 1, order: this.order++, resolve: (r) => (unlisten(), resolve(r)), reject: (e) => (unlisten(), reject(e)) };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(w);
      this.pump();
    }) as Promise<ResultOf<S>>;
  }

  /**
   * Hands queued shards to ready agents: the next job by fair share (the fewest running shards, then the least
   * recently served), its oldest shard, to an agent that already holds the job's model if one is free, else the
   * least loaded (ties: the lowest index). As the remote pool does (scheduling/choose.ts).
   */
  private pump(): void {
    while (this.queue.length > 0) {
      const ready = this.agentsList.filter((a) => a.isReady());
      // Free slots do not depend on the job: with none, there is nothing to choose (and no queue scan per enqueue).
      if (!ready.some((a) => a.inFlight() < a.capacity)) return;
      const loads = ready.map((a, i) => ({ id: String(i).padStart(6, "0"), inFlight: a.inFlight(), capacity: a.capacity, cachedModels: [...(this.modelsOf.get(a) ?? [])], lost: false }));
      const jobs = new Map<string, WaitingJob>();
      for (const w of this.queue) {
        const jobId = w.shard.ref.jobId;
        if (!jobs.has(jobId)) jobs.set(jobId, { jobId, running: this.runningByJob.get(jobId) ?? 0, lastServed: this.lastServed.get(jobId) ?? 0, oldest: w.order });
      }
      const jobId = nextJob([...jobs.values()])!;
      const w = this.queue.find((q) => q.shard.ref.jobId === jobId)!;
      const choice = chooseAgent(loads, w.shard.ref.model);
      if (!choice) return;
      this.queue.splice(this.queue.indexOf(w), 1);
      this.dispatch(ready[Number(choice.id)]!, w);
    }
  }

  private dispatch(agent: LocalAgent, w: Waiting): void {
    const jobId = w.shard.ref.jobId;
    this.runningByJob.set(jobId, (this.runningByJob.get(jobId) ?? 0) + 1);
    this.lastServed.set(jobId, ++this.serial);
    if (!this.modelsOf.has(agent)) this.modelsOf.set(agent, new Set());
    this.modelsOf.get(agent)!.add(w.shard.ref.model);
    const done = () => {
      const n = (this.runningByJob.get(jobId) ?? 1) - 1;
      if (n > 0) this.runningByJob.set(jobId, n);
      else {
        this.runningByJob.delete(jobId);
        if (!this.queue.some((q) => q.shard.ref.jobId === jobId)) this.lastServed.delete(jobId);
      }
    };
    agent
      .run(w.shard, w.options)
      .finally(done)
      .then(w.resolve, (e: unknown) => {
        if (isC2iError(e) && e.code === ErrorCode.AGENT_LOST && w.attempt < this.options.maxAttempts && !this.closed && !w.options.signal?.aborted) {
          w.attempt++;
          w.options.onRetry?.(w.shard.shardId, w.attempt, e.message);
          this.logger.warn({ shard: w.shard.shardId, attempt: w.attempt, reason: e.message }, "retrying shard on another agent");
          this.queue.unshift(w);
          this.pump();
          return;
        }
        w.reject(e);
      });
  }

  private onAgentLost(agent: LocalAgent, reason: string): void {
    this.logger.error({ agent: agent.id, reason }, "local agent lost");
    const i = this.agentsList.indexOf(agent);
    if (i >= 0) this.agentsList.splice(i, 1);
    this.modelsOf.delete(agent);
    if (this.closed) return;
    this.spawn().catch((e) => {
      this.logger.error({ err: e }, "could not replace a lost local agent");
      if (this.agentsList.length === 0) for (const w of this.queue.splice(0)) w.reject(new C2iError(ErrorCode.AGENT_LOST, `no local agent left to run ${w.shard.shardId}: ${reason}`));
    });
  }

  agents(): AgentInfo[] {
    return this.agentsList.map((a) => a.info());
  }

  /** Each ready agent's own description (asked now; see `LocalAgent.describe`), in agent order. */
  async describeAgents(): Promise<LocalAgentDescription[]> {
    const all = await Promise.all(this.agentsList.map((a) => a.describe()));
    return all.filter((d): d is LocalAgentDescription => d !== undefined);
  }

  /** Kill every agent at once, synchronously (a second Ctrl-C); `close` afterwards still settles what is queued. */
  kill(): void {
    this.closed = true;
    for (const a of this.agentsList) a.kill();
  }

  /** Close every agent (graceful `close`, then a kill after a grace period) and reject what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(new C2iError(ErrorCode.JOB_CANCELLED, `local agent pool closed before shard ${w.shard.shardId} ran`));
    await Promise.all(this.agentsList.splice(0).map((a) => a.close()));
  }
}

function cancelled(shard: Shard, signal: AbortSignal): C2iError {
  const r = signal.reason;
  return isC2iError(r) ? r : new C2iError(ErrorCode.JOB_CANCELLED, `shard ${shard.shardId} cancelled`);
}
