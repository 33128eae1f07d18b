// AgentPool over heartbeating remote agents: least-loaded placement with model-cache affinity, fair
// share between jobs, per-shard deadlines, bounded retries on other agents, cancellation.
import type * as grpc from "@grpc/grpc-js";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { silentLogger } from "../../common/log.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";
import { bearerMetadata, type TlsFiles } from "../../proto/auth.ts";
import * as convert from "../../proto/convert.ts";
import { fromServiceError, isTransient } from "../../proto/status.ts";
import type { EventBus } from "../events/types.ts";
import { AgentDirectory, type RemoteAgent } from "./remote-agents.ts";
import { backoffMs, chooseAgent, nextJob, type WaitingJob } from "./scheduling/choose.ts";
import type { AgentInfo, AgentPool, ResultOf, RunOptions } from "./types.ts";

/** What the pool reports; coordinator/metrics implements it (kept as an interface so the pool needs no registry). */
export interface PoolObserver {
  dispatched(kind: string, agent: string): void;
  retried(kind: string, reason: string): void;
  failed(kind: string, code: string): void;
  finished(kind: string, agent: string, seconds: number): void;
  inFlight(count: number): void;
  agents(byState: Record<AgentInfo["state"], number>): void;
  /** Shards of one job now running on agents (0 when none). */
  jobInFlight?(jobId: string, count: number): void;
  /** An evaluate shard came back with this many candidates evaluated (the baseline, candidate null, not counted). */
  evaluated?(jobId: string, candidates: number): void;
}

export interface RemotePoolOptions {
  /** Bus carrying `c2i.agent.heartbeat`. */
  bus: EventBus;
  /** Bearer token the agents expect. @default none */
  agentToken?: string;
  /** TLS for calls to agents. @default plain */
  tls?: TlsFiles;
  /** Deadline of a shard when the caller gives none, ms. @default 600000 */
  defaultDeadlineMs?: number;
  /** Attempts per shard, across agents, before it fails. @default 4 */
  maxAttempts?: number;
  /** First retry delay, doubled each attempt, ms. @default 200 */
  retryBaseMs?: number;
  /** @default 5000 */
  retryMaxMs?: number;
  /** An agent is lost when its heartbeats stop for this long, ms. @default 5000 */
  lostAfterMs?: number;
  /** @default 500 */
  sweepMs?: number;
  /** A shard waits this long for any live agent before failing, ms. @default 300000 */
  noAgentTimeoutMs?: number;
  observer?: PoolObserver;
  logger?: Logger;
}

interface Waiter {
  jobId: string;
  model: string;
  tried: Set<string>;
  order: number;
  place: (agent: RemoteAgent) => void;
  fail: (e: C2iError) => void;
}

const METHOD = { prepare: "Prepare", score: "Score", evaluate: "Evaluate" } as const;

export class RemoteAgentPool implements AgentPool {
  private readonly directory: AgentDirectory;
  private readonly waiting: Waiter[] = [];
  private readonly runningByJob = new Map<string, number>();
  /** Job → serial of the last placement, for round-robin among equally loaded jobs. */
  private readonly lastServed = new Map<string, number>();
  private serial = 0;
  private order = 0;
  private inFlightTotal = 0;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly options: RemotePoolOptions) {
    this.log = options.logger ?? silentLogger();
    this.directory = new AgentDirectory(
      options.bus, this.log,
      { lostAfterMs: options.lostAfterMs, sweepMs: options.sweepMs, tls: options.tls },
      () => this.pump(),
      () => this.reportAgents(),
    );
  }

  agents(): AgentInfo[] {
    return this.directory.info();
  }

  /** Resolves once at least `count` live agents have heartbeated (for start-up and tests). */
  async waitForAgents(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.agents().filter((a) => a.state !== "lost").length < count) {
      if (Date.now() > deadline) throw new C2iError(ErrorCode.AGENT_LOST, `only ${this.agents().length} of ${count} agents heartbeated within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async run<S extends Shard>(shard: S, options: RunOptions = {}): Promise<ResultOf<S>> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    const tried = new Set<string>();
    const log = this.log.child({ job: shard.ref.jobId, shard: shard.shardId, kind: shard.kind });
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new C2iError(ErrorCode.AGENT_LOST, "agent pool is closed");
      options.signal?.throwIfAborted?.();
      const agent = await this.acquire(shard, tried, options.signal);
      tried.add(agent.id);
      try {
        return (await this.call(agent, shard, options, log)) as ResultOf<S>;
      } catch (raw) {
        const e = raw instanceof C2iError ? raw : fromServiceError(raw, `agent ${agent.id} (${agent.address})`);
        if (options.signal?.aborted) throw new C2iError(ErrorCode.JOB_CANCELLED, `shard ${shard.shardId} cancelled`, { cause: e });
        if (!isTransient(e) || attempt >= maxAttempts) {
          this.options.observer?.failed(shard.kind, e.code);
          log.error({ agent: agent.id, attempt, code: e.code, err: e.message }, "shard failed");
          throw new C2iError(e.code, `shard ${shard.shardId} failed after ${attempt} attempt(s), last on agent ${agent.id}: ${e.message}`, { cause: e });
        }
        // A peer that refused the connection is not worth another shard until it heartbeats again.
        if (e.code === ErrorCode.AGENT_LOST) this.directory.suspect(agent, e.message);
        const reason = `${e.code}: ${e.message}`;
        this.options.observer?.retried(shard.kind, e.code);
        options.onRetry?.(shard.shardId, attempt + 1, reason);
        log.warn({ agent: agent.id, attempt, reason }, "shard will be retried on another agent");
        await sleep(backoffMs(attempt, this.options.retryBaseMs ?? 200, this.options.retryMaxMs ?? 5_000), options.signal);
      }
    }
  }

  /** Waits for a free slot on a live agent; fair between jobs; honours cancellation. */
  private acquire(shard: Shard, tried: Set<string>, signal?: AbortSignal): Promise<RemoteAgent> {
    return new Promise<RemoteAgent>((resolve, reject) => {
      const waiter: Waiter = {
        jobId: shard.ref.jobId, model: shard.ref.model, tried, order: this.order++,
        place: (agent) => {
          cleanup();
          resolve(agent);
        },
        fail: (e) => {
          cleanup();
          reject(e);
        },
      };
      const timeoutMs = this.options.noAgentTimeoutMs ?? 300_000;
      const timer = setTimeout(() => {
        cleanup();
        reject(new C2iError(ErrorCode.AGENT_LOST, `no live agent took shard ${shard.shardId} within ${timeoutMs} ms: start agents with \`c2i agent --nats …\``));
      }, timeoutMs);
      const onAbort = () => {
        cleanup();
        reject(new C2iError(ErrorCode.JOB_CANCELLED, `shard ${shard.shardId} cancelled while waiting for an agent`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /** Places waiting shards while agents have free slots: next job by fair share, its oldest shard. */
  private pump(): void {
    const agents = [...this.directory.agents.values()];
    while (this.waiting.length > 0) {
      const jobs = new Map<string, WaitingJob>();
      for (const w of this.waiting) {
        if (!jobs.has(w.jobId)) {
          jobs.set(w.jobId, { jobId: w.jobId, running: this.runningByJob.get(w.jobId) ?? 0, lastServed: this.lastServed.get(w.jobId) ?? 0, oldest: w.order });
        }
      }
      const jobId = nextJob([...jobs.values()])!;
      const waiter = this.waiting.find((w) => w.jobId === jobId)!;
      // Free slots do not depend on the job, so when this shard fits nowhere, none does.
      const agent = chooseAgent(agents, waiter.model, waiter.tried);
      if (!agent) return;
      const remote = this.directory.agents.get(agent.id)!;
      remote.inFlight++;
      this.inFlightTotal++;
      const running = (this.runningByJob.get(jobId) ?? 0) + 1;
      this.runningByJob.set(jobId, running);
      this.options.observer?.jobInFlight?.(jobId, running);
      this.lastServed.set(jobId, ++this.serial);
      waiter.place(remote);
    }
  }

  private release(agent: RemoteAgent, jobId: string): void {
    agent.inFlight = Math.max(0, agent.inFlight - 1);
    this.inFlightTotal--;
    const n = (this.runningByJob.get(jobId) ?? 1) - 1;
    if (n <= 0) {
      this.runningByJob.delete(jobId);
      if (!this.waiting.some((w) => w.jobId === jobId)) this.lastServed.delete(jobId);
    }
    else this.runningByJob.set(jobId, n);
    this.options.observer?.jobInFlight?.(jobId, Math.max(0, n));
    this.options.observer?.inFlight(this.inFlightTotal);
    this.reportAgents();
    this.pump();
  }

  private call(agent: RemoteAgent, shard: Shard, options: RunOptions, log: Logger): Promise<ShardResult> {
    const deadlineMs = options.deadlineMs ?? this.options.defaultDeadlineMs ?? 600_000;
    const started = performance.now();
    this.options.observer?.dispatched(shard.kind, agent.id);
    this.options.observer?.inFlight(this.inFlightTotal);
    this.reportAgents();
    log.debug({ agent: agent.id, deadlineMs }, "shard dispatched");
    return new Promise<ShardResult>((resolve, reject) => {
      let call: grpc.ClientUnaryCall | undefined;
      let lostReason: string | undefined;
      const abortLost = () => {
        lostReason = `agent ${agent.id} lost`;
        call?.cancel();
      };
      const onAbort = () => call?.cancel();
      agent.calls.add(abortLost);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const finish = (err: unknown, result?: ShardResult) => {
        agent.calls.delete(abortLost);
        options.signal?.removeEventListener("abort", onAbort);
        this.release(agent, shard.ref.jobId);
        if (err) {
          if (lostReason) return reject(new C2iError(ErrorCode.AGENT_LOST, `${lostReason} while running shard ${shard.shardId}`, { cause: err }));
          return reject(fromServiceError(err, `agent ${agent.id} (${agent.address})`));
        }
        this.options.observer?.finished(shard.kind, agent.id, (performance.now() - started) / 1000);
        if (result?.kind === "evaluate") this.options.observer?.evaluated?.(shard.ref.jobId, result.evaluations.filter((e) => e.candidate !== null).length);
        resolve(result!);
      };
      const md = bearerMetadata(this.options.agentToken);
      const callOptions: grpc.CallOptions = { deadline: new Date(Date.now() + deadlineMs) };
      const c = agent.client;
      switch (shard.kind) {
        case "prepare":
          call = c.Prepare(convert.prepareShardToWire(shard), md, callOptions, (err, res) =>
            finish(err, res ? convert.prepareResultFromWire(res) : undefined));
          break;
        case "score":
          call = c.Score(convert.scoreShardToWire(shard), md, callOptions, (err, res) =>
            finish(err, res ? convert.scoreResultFromWire(res) : undefined));
          break;
        case "evaluate":
          call = c.Evaluate(convert.evaluateShardToWire(shard), md, callOptions, (err, res) =>
            finish(err, res ? convert.evaluateResultFromWire(res) : undefined));
          break;
        default:
          finish(new C2iError(ErrorCode.INVALID_ARGUMENT, `unknown shard kind ${(shard as Shard).kind}; agents run ${Object.keys(METHOD).join(", ")}`));
      }
      if (agent.lost) abortLost();
    });
  }

  private reportAgents(): void {
    if (!this.options.observer) return;
    const counts = { idle: 0, busy: 0, lost: 0 };
    for (const a of this.agents()) counts[a.state]++;
    this.options.observer.agents(counts);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.waiting]) w.fail(new C2iError(ErrorCode.AGENT_LOST, "agent pool closed while the shard waited for an agent"));
    for (const a of this.directory.agents.values()) for (const abort of [...a.calls]) abort();
    this.directory.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new C2iError(ErrorCode.JOB_CANCELLED, "cancelled while waiting to retry"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
