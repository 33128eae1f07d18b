// The local agent: a ShardExecutor in a worker thread or child process, speaking common/local-agent-protocol.ts.
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode, describeError, isC2iError } from "../../common/errors.ts";
import { createLogger, type Logger } from "../../common/log.ts";
import {
  parseLocalAgentChildArgs,
  type FromLocalAgent,
  type LocalAgentDescription,
  type LocalAgentOptions,
  type ToLocalAgent,
} from "../../common/local-agent-protocol.ts";
import { resolveModelRef } from "../checkpoint/hub.ts";
import type { ShardExecutor } from "./executor.ts";
import { startLocalEngine } from "./local-engine.ts";

interface Channel {
  mode: "worker" | "child";
  options: LocalAgentOptions;
  send(message: FromLocalAgent): Promise<void>;
  onMessage(handler: (message: ToLocalAgent) => void): void;
  /** Called when the parent goes away (child only). */
  onParentGone(handler: () => void): void;
  end(): void;
}

/** Listens at once and keeps what arrives before the agent is ready (a child's IPC would drop it otherwise). */
function buffered(subscribe: (h: (m: ToLocalAgent) => void) => void): (h: (m: ToLocalAgent) => void) => void {
  const early: ToLocalAgent[] = [];
  let handler: ((m: ToLocalAgent) => void) | undefined;
  subscribe((m) => (handler ? handler(m) : early.push(m)));
  return (h) => {
    handler = h;
    for (const m of early.splice(0)) h(m);
  };
}

function openChannel(): Channel {
  if (parentPort) {
    const port = parentPort;
    return {
      mode: "worker",
      options: workerData as LocalAgentOptions,
      send: async (m) => port.postMessage(m),
      onMessage: buffered((h) => port.on("message", h)),
      onParentGone: () => {},
      end: () => port.close(),
    };
  }
  const options = parseLocalAgentChildArgs(process.argv);
  if (!process.send || !options) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, "agent/work/local-agent runs as a worker thread or a forked child with --c2i-local-agent <options-json>; see common/local-agent-protocol.ts");
  }
  // Ctrl-C on a terminal signals the whole process group: the parent owns this agent and decides (it cancels the
  // shard and sends `close`); dying here would only make it replace the agent. A dead parent still ends us (disconnect).
  process.on("SIGINT", () => {});
  return {
    mode: "child",
    options,
    send: (m) => new Promise((resolve) => process.send!(m, undefined, {}, () => resolve())),
    onMessage: buffered((h) => process.on("message", (m) => h(m as ToLocalAgent))),
    // A parent gone while the engine started (its second Ctrl-C) disconnected before anyone listened.
    onParentGone: (h) => (process.connected ? process.on("disconnect", h) : h()),
    end: () => process.disconnect?.(),
  };
}

/** Runs until `close` (or, for a child, until the parent disconnects). */
export async function runLocalAgent(channel: Channel): Promise<void> {
  const { options } = channel;
  const logger: Logger = createLogger(`agent:${options.agentId}`, { level: options.logLevel ?? "info" });
  let executor: ShardExecutor;
  let describe: () => LocalAgentDescription;
  try {
    const engine = await startLocalEngine({
      backend: options.backend,
      svd: options.svd,
      blas: options.blas,
      logger,
      executor: {
        maxJobs: options.maxJobs,
        jobIdleMs: options.jobIdleMs,
        layerCacheBytes: options.layerCacheBytes,
        memoryBudgetBytes: options.memoryBudgetBytes,
        ...(options.hubCacheDir === undefined ? {} : { resolveModel: (ref: string) => resolveModelRef(ref, { cacheDir: options.hubCacheDir }) }),
      },
    });
    executor = engine.executor;
    describe = () => {
      const mem = process.memoryUsage();
      const tfm = tf.memory();
      const budget = executor.memoryBudget();
      return {
        agentId: options.agentId,
        backend: engine.backend,
        tfBackend: tf.getBackend(),
        svd: engine.svd.name,
        blas: engine.blas,
        pid: process.pid,
        mode: channel.mode,
        inFlight: executor.inFlight(),
        cachedJobs: executor.cachedJobs(),
        cachedModels: executor.cachedModels(),
        memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, tfBytes: tfm.numBytes, tfTensors: tfm.numTensors },
        layerCache: executor.layerCacheStats(),
        sharedWork: executor.sharedWorkStats(),
        ...(budget ? { memoryBudget: budget } : {}),
      };
    };
  } catch (e) {
    await channel.send({ type: "fatal", code: isC2iError(e) ? e.code : ErrorCode.INTERNAL, message: describeError(e) });
    channel.end();
    return;
  }
  const controllers = new Map<string, AbortController>();
  const sweeper = setInterval(() => executor.sweepIdle(), Math.min(options.jobIdleMs ?? 600_000, 60_000));
  sweeper.unref();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(sweeper);
      for (const c of controllers.values()) c.abort();
      await executor.close();
      logger.info("local agent closed");
    })());

  channel.onParentGone(() => void close().then(() => process.exit(0)));
  channel.onMessage((message) => {
    switch (message.type) {
      case "run": {
        const { shard } = message;
        const controller = new AbortController();
        controllers.set(shard.shardId, controller);
        executor
          .run(shard, controller.signal)
          .then((result) => channel.send({ type: "result", result }))
          .catch((e) => {
            if (!isC2iError(e)) logger.error({ shard: shard.shardId, err: e }, "shard failed unexpectedly");
            return channel.send({ type: "error", shardId: shard.shardId, code: isC2iError(e) ? e.code : ErrorCode.INTERNAL, message: describeError(e) });
          })
          .finally(() => controllers.delete(shard.shardId));
        break;
      }
      case "cancel":
        controllers.get(message.shardId)?.abort();
        break;
      case "info":
        void channel.send({ type: "info", ...describe() });
        break;
      case "drop-job":
        executor.dropJob(message.jobId);
        break;
      case "close":
        void close().then(async () => {
          await channel.send({ type: "closed" });
          channel.end();
        });
        break;
      default:
        logger.warn({ message }, "unknown message ignored");
    }
  });
  await channel.send({ type: "ready", ...describe() });
}

await runLocalAgent(openChannel());
