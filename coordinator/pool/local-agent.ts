// The pool's handle on one local agent: its in-flight shards, deadlines, cancellation, and what its death means.
import { C2iError, ErrorCode, isC2iError } from "../../common/errors.ts";
import type { FromLocalAgent, LocalAgentDescription } from "../../common/local-agent-protocol.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";
import type { AgentChannel } from "../../common/local-agent-channel.ts";
import type { AgentInfo, RunOptions } from "./types.ts";

interface Running {
  resolve: (r: ShardResult) => void;
  reject: (e: unknown) => void;
  /** Settled early (cancel/deadline): ignore the agent's eventual answer but keep counting it in flight. */
  settled: boolean;
  cleanup: () => void;
}

/** How long a closing agent gets to answer `close` before it is killed. */
const CLOSE_GRACE_MS = 5_000;

export class LocalAgent {
  private description?: LocalAgentDescription;
  private readonly running = new Map<string, Running>();
  private gone = false;
  private readyWaiter?: { resolve: (d: LocalAgentDescription) => void; reject: (e: unknown) => void };
  private infoWaiters: ((d: LocalAgentDescription | undefined) => void)[] = [];
  private exited: Promise<void>;

  constructor(
    readonly id: string,
    private readonly channel: AgentChannel,
    readonly capacity: number,
    private readonly hooks: {
      /** The agent died after it was ready (not during close). */
      onLost: (agent: LocalAgent, reason: string) => void;
      /** A slot freed up: the agent answered a shard (possibly one already settled by cancel/deadline). */
      onFree: (agent: LocalAgent) => void;
    },
  ) {
    channel.onMessage((m) => this.onMessage(m));
    this.exited = new Promise((resolve) => {
      channel.onExit((code, detail) => {
        const reason = `local agent ${id} (pid ${channel.pid}) exited with code ${code}${detail ? `: ${detail}` : ""}`;
        const wasGone = this.gone;
        this.gone = true;
        this.readyWaiter?.reject(new C2iError(ErrorCode.AGENT_LOST, `${reason} before it was ready; run with C2I_LOG_LEVEL=debug to see its log`));
        this.readyWaiter = undefined;
        for (const [shardId, r] of this.running) {
          r.cleanup();
          if (!r.settled) r.reject(new C2iError(ErrorCode.AGENT_LOST, `${reason} while running shard ${shardId}`));
        }
        this.running.clear();
        if (!wasGone && this.description) this.hooks.onLost(this, reason);
        resolve();
      });
    });
  }

  ready(timeoutMs: number): Promise<LocalAgentDescription> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new C2iError(ErrorCode.AGENT_LOST, `local agent ${this.id} sent no "ready" within ${timeoutMs} ms`));
        this.gone = true;
        this.channel.kill();
      }, timeoutMs);
      this.readyWaiter = {
        resolve: (d) => (clearTimeout(timer), resolve(d)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  isReady(): boolean {
    return this.description !== undefined && !this.gone;
  }

  inFlight(): number {
    return this.running.size;
  }

  info(): AgentInfo {
    const d = this.description;
    return {
      id: this.id,
      address: `in-process (${d?.mode ?? "starting"}, pid ${d?.pid ?? this.channel.pid ?? "?"})`,
      backend: d?.backend ?? "unknown",
      svd: d?.svd ?? "unknown",
      state: this.gone ? "lost" : this.running.size > 0 ? "busy" : "idle",
      inFlight: this.running.size,
      capacity: this.capacity,
      cachedModels: d?.cachedModels ?? [],
      ...(d?.memoryBudget ? { memoryBudget: d.memoryBudget } : {}),
    };
  }

  run(shard: Shard, options: RunOptions): Promise<ShardResult> {
    if (!this.isReady()) return Promise.reject(new C2iError(ErrorCode.AGENT_LOST, `local agent ${this.id} is not running`));
    return new Promise<ShardResult>((resolve, reject) => {
      const settleEarly = (e: C2iError) => {
        const r = this.running.get(shard.shardId);
        if (!r || r.settled) return;
        r.settled = true;
        r.cleanup();
        this.channel.send({ type: "cancel", shardId: shard.shardId });
        reject(e);
      };
      const onAbort = () => {
        const reason = options.signal?.reason;
        settleEarly(isC2iError(reason) ? reason : new C2iError(ErrorCode.JOB_CANCELLED, `shard ${shard.shardId} cancelled`));
      };
      const timer = options.deadlineMs
        ? setTimeout(() => settleEarly(new C2iError(ErrorCode.SHARD_FAILED, `shard ${shard.shardId} passed its ${options.deadlineMs} ms deadline on ${this.id}`)), options.deadlineMs)
        : undefined;
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.running.set(shard.shardId, {
        resolve,
        reject,
        settled: false,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
        },
      });
      this.channel.send({ type: "run", shard });
    });
  }

  private onMessage(m: FromLocalAgent): void {
    switch (m.type) {
      case "ready":
      case "info": {
        const { type: _t, ...d } = m;
        this.description = d;
        if (m.type === "ready") {
          this.readyWaiter?.resolve(d);
          this.readyWaiter = undefined;
        } else for (const w of this.infoWaiters.splice(0)) w(d);
        return;
      }
      case "fatal":
        this.gone = true;
        this.readyWaiter?.reject(new C2iError(m.code, `local agent ${this.id} could not start: ${m.message}`));
        this.readyWaiter = undefined;
        return;
      case "result":
      case "error": {
        const shardId = m.type === "result" ? m.result.shardId : m.shardId;
        const r = this.running.get(shardId);
        if (!r) return;
        this.running.delete(shardId);
        r.cleanup();
        if (!r.settled) {
          if (m.type === "result") r.resolve(m.result);
          // Agents may already prefix the code ("CODE: message"); keep it once.
          else r.reject(new C2iError(m.code, m.message.startsWith(`${m.code}: `) ? m.message.slice(m.code.length + 2) : m.message));
        }
        queueMicrotask(() => this.hooks.onFree(this));
        return;
      }
      case "closed":
        return;
    }
  }

  /**
   * The agent's current description (caches, memory, layer-cache counts), asked for with `info`; an agent busy in a
   * long kernel may answer late, so past `timeoutMs` this is the last description it sent (undefined if none).
   */
  describe(timeoutMs = 2_000): Promise<LocalAgentDescription | undefined> {
    if (!this.isReady()) return Promise.resolve(this.description);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.description), timeoutMs);
      this.infoWaiters.push((d) => (clearTimeout(timer), resolve(d)));
      this.channel.send({ type: "info" });
    });
  }

  /** Hard stop now (SIGKILL or thread termination), for when waiting for `close` is not an option. */
  kill(): void {
    this.gone = true;
    this.channel.kill();
  }

  /** Ask the agent to free its caches and exit; kill it if it does not within the grace period. */
  async close(): Promise<void> {
    if (!this.gone) {
      this.gone = true;
      this.channel.send({ type: "close" });
      const timer = setTimeout(() => this.channel.kill(), CLOSE_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
      return;
    }
    // Already gone or failed to start: make sure the process is really over.
    this.channel.kill();
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref())]);
  }
}
