// Runs shards in a child process speaking common/local-agent-protocol.ts, so tfjs compute never
// blocks this process's event loop (gRPC keepalives, NATS heartbeats, cancellation keep flowing).
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { LocalAgentMode, openChannel, type AgentChannel } from "../../common/local-agent-channel.ts";
import type { Logger } from "../../common/log.ts";
import type { LocalAgentDescription, LocalAgentOptions, ToLocalAgent } from "../../common/local-agent-protocol.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";
import type { RunnerDescription, ShardRunner } from "./runner.ts";

export interface ChildRunnerOptions extends LocalAgentOptions {
  /** Entry file of the child. @default LOCAL_AGENT_ENTRY */
  entry?: URL;
  /** How long `close()` waits for the child to free its caches before killing it, ms. @default 10000 */
  closeTimeoutMs?: number;
}

interface Pending {
  resolve: (r: ShardResult) => void;
  reject: (e: C2iError) => void;
}

export class ChildRunner implements ShardRunner {
  private channel: AgentChannel | undefined;
  /** Resolves when the current child has exited. */
  private exited: Promise<void> = Promise.resolve();
  private starting: Promise<LocalAgentDescription> | undefined;
  private readonly pending = new Map<string, Pending>();
  private infoWaiters: ((d: LocalAgentDescription) => void)[] = [];
  private closing = false;
  /** The latest description the child sent (ready or info): the answer when it is too busy to reply. */
  private last: LocalAgentDescription | undefined;

  constructor(private readonly options: ChildRunnerOptions, private readonly log: Logger) {}

  /** Starts the child (if needed) and resolves with its `ready` description. */
  start(): Promise<LocalAgentDescription> {
    if (this.starting) return this.starting;
    const { entry, closeTimeoutMs: _t, ...agentOptions } = this.options;
    const channel = openChannel({ mode: LocalAgentMode.child, agent: agentOptions, entry });
    this.channel = channel;
    let markExited!: () => void;
    this.exited = new Promise<void>((resolve) => (markExited = resolve));
    this.starting = new Promise<LocalAgentDescription>((resolve, reject) => {
      channel.onMessage((msg) => {
        switch (msg.type) {
          case "ready":
            this.last = msg;
            resolve(msg);
            break;
          case "fatal":
            reject(new C2iError(msg.code, `compute process failed to start: ${msg.message}`));
            break;
          case "result":
            this.settle(msg.result.shardId, (p) => p.resolve(msg.result));
            break;
          case "error":
            this.settle(msg.shardId, (p) => p.reject(new C2iError(msg.code, msg.message)));
            break;
          case "info":
            this.last = msg;
            for (const w of this.infoWaiters.splice(0)) w(msg);
            break;
          case "closed":
            break;
        }
      });
      channel.onExit((code, detail) => {
        const why = `compute process ${channel.pid} exited (${detail || code})`;
        reject(new C2iError(ErrorCode.INTERNAL, why));
        if (this.channel === channel) {
          this.channel = undefined;
          this.starting = undefined;
        }
        if (!this.closing) this.log.error({ pid: channel.pid, code, detail }, "compute process died; it restarts on the next shard");
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new C2iError(ErrorCode.INTERNAL, `${why} while running shard ${id}`));
        }
        markExited();
      });
    });
    this.starting.catch(() => {});
    return this.starting;
  }

  private settle(shardId: string, f: (p: Pending) => void): void {
    const p = this.pending.get(shardId);
    if (!p) return;
    this.pending.delete(shardId);
    f(p);
  }

  private send(msg: ToLocalAgent): void {
    this.channel?.send(msg);
  }

  async run(shard: Shard, signal?: AbortSignal): Promise<ShardResult> {
    if (this.closing) throw new C2iError(ErrorCode.AGENT_LOST, "agent is shutting down");
    if (this.pending.has(shard.shardId)) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `shard ${shard.shardId} is already running on this agent`);
    }
    await this.start();
    signal?.throwIfAborted();
    return new Promise<ShardResult>((resolve, reject) => {
      const onAbort = () => this.send({ type: "cancel", shardId: shard.shardId });
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      this.pending.set(shard.shardId, {
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      });
      this.send({ type: "run", shard });
    });
  }

  async describe(): Promise<RunnerDescription> {
    const ready = await this.start();
    const info = this.channel
      ? await Promise.race([
          new Promise<LocalAgentDescription>((resolve) => {
            this.infoWaiters.push(resolve);
            this.send({ type: "info" });
          }),
          // A child deep in a synchronous kernel answers late: fall back to what it said last.
          new Promise<LocalAgentDescription>((resolve) => setTimeout(() => resolve(this.last ?? ready), 2_000).unref()),
        ])
      : ready;
    return {
      backend: info.backend,
      svd: info.svd,
      device: `${info.mode} pid ${info.pid}${info.blas ? ", blas" : ""}`,
      cachedModels: info.cachedModels,
      memory: { rssBytes: info.memory.rssBytes, tfBytes: info.memory.tfBytes, tfTensors: info.memory.tfTensors },
      ...(info.layerCache ? { layerCache: info.layerCache } : {}),
      ...(info.sharedWork ? { sharedWork: info.sharedWork } : {}),
      ...(info.memoryBudget ? { memoryBudget: info.memoryBudget } : {}),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    const channel = this.channel;
    if (!channel) return;
    const timer = setTimeout(() => channel.kill(), this.options.closeTimeoutMs ?? 10_000);
    channel.send({ type: "close" });
    await this.exited;
    clearTimeout(timer);
  }
}
