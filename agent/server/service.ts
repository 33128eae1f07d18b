// AgentService handlers: check the token and the paths, run the shard off-loop, map errors once.
import type * as grpc from "@grpc/grpc-js";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import type { MemoryBudgetReport } from "../../common/memory-report.ts";
import type { Shard, ShardResult } from "../../common/shards.ts";
import { checkBearer } from "../../proto/auth.ts";
import * as convert from "../../proto/convert.ts";
import type { AgentServiceHandlers } from "../../proto/gen/c2i/v1/AgentService.ts";
import { memoryReportToWire } from "../../proto/memory-report.ts";
import { toServiceError } from "../../proto/status.ts";
import { requireDecoded } from "../../proto/undecodable.ts";
import type { AgentMetrics } from "../metrics/registry.ts";
import type { AllowedRoots } from "../security/roots.ts";
import type { ShardRunner } from "./runner.ts";

export interface AgentServiceDeps {
  id: string;
  capacity: number;
  roots: AllowedRoots;
  runner: ShardRunner;
  metrics: AgentMetrics;
  log: Logger;
  token?: string;
  /** Called whenever in-flight changes (the heartbeater publishes the new load); `ended` after a shard. */
  onLoadChange?: (ended: boolean) => void;
}

export class AgentWork {
  /** Shard id → its run, so a re-sent shard (coordinator restarted) waits for the old one to end. */
  private readonly running = new Map<string, Promise<unknown>>();
  /** Real model path → the ref the coordinator used, so cache affinity speaks the coordinator's names. */
  private readonly modelRefs = new Map<string, string>();

  constructor(private readonly deps: AgentServiceDeps) {}

  get inFlight(): number {
    return this.running.size;
  }

  /** Cached models, named as the coordinator names them. */
  cachedRefs(realPaths: readonly string[]): string[] {
    return realPaths.map((p) => this.modelRefs.get(p) ?? p);
  }

  /** The compute process's memory report with each plan's model named as the coordinator names it. */
  namedReport(report: MemoryBudgetReport | undefined): MemoryBudgetReport | undefined {
    return report && { ...report, plans: report.plans.map((p) => ({ ...p, model: this.modelRefs.get(p.model) ?? p.model })) };
  }

  async run(shard: Shard, signal: AbortSignal): Promise<ShardResult> {
    const { deps } = this;
    const log = deps.log.child({ job: shard.ref.jobId, shard: shard.shardId, kind: shard.kind });
    const ref = deps.roots.checkWorkRef(shard.ref);
    this.modelRefs.set(ref.model, shard.ref.model);
    const previous = this.running.get(shard.shardId);
    if (previous) await previous.catch(() => {});
    const started = performance.now();
    const work = deps.runner.run({ ...shard, ref }, signal);
    this.running.set(shard.shardId, work);
    deps.metrics.shardsInFlight.set(this.running.size);
    deps.onLoadChange?.(false);
    log.info("shard started");
    try {
      const result = await work;
      if (result.shardId !== shard.shardId) {
        throw new C2iError(ErrorCode.INTERNAL, `compute returned shard ${result.shardId} for ${shard.shardId}`);
      }
      deps.metrics.shardsTotal.inc({ kind: shard.kind, outcome: "ok" });
      deps.metrics.observeResult(result);
      log.info({ ms: Math.round(performance.now() - started) }, "shard done");
      return result;
    } catch (e) {
      const cancelled = signal.aborted || (e instanceof C2iError && e.code === ErrorCode.JOB_CANCELLED);
      deps.metrics.shardsTotal.inc({ kind: shard.kind, outcome: cancelled ? "cancelled" : "error" });
      log.warn({ err: (e as Error).message }, cancelled ? "shard cancelled" : "shard failed");
      throw e;
    } finally {
      deps.metrics.shardSeconds.observe({ kind: shard.kind }, (performance.now() - started) / 1000);
      if (this.running.get(shard.shardId) === work) this.running.delete(shard.shardId);
      deps.metrics.shardsInFlight.set(this.running.size);
      deps.onLoadChange?.(true);
    }
  }
}

/** One unary handler: auth, decode, abort on client cancel/deadline, encode or map the error. */
function unary<Req, Res, S extends Shard, R extends ShardResult>(
  method: string,
  deps: AgentServiceDeps,
  work: AgentWork,
  decode: (m: Req) => S,
  encode: (r: R) => Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const ac = new AbortController();
    call.on("cancelled", () => ac.abort());
    void (async () => {
      try {
        checkBearer(call.metadata, deps.token, "AgentService");
        requireDecoded(call.request, `AgentService.${method}`);
        const result = await work.run(decode(call.request), ac.signal);
        callback(null, encode(result as R));
      } catch (e) {
        callback(toServiceError(e));
      }
    })();
  };
}

export function agentHandlers(deps: AgentServiceDeps, work: AgentWork): AgentServiceHandlers {
  return {
    Prepare: unary("Prepare", deps, work, convert.prepareShardFromWire, convert.prepareResultToWire),
    Score: unary("Score", deps, work, convert.scoreShardFromWire, convert.scoreResultToWire),
    Evaluate: unary("Evaluate", deps, work, convert.evaluateShardFromWire, convert.evaluateResultToWire),
    Info: (call, callback) => {
      void (async () => {
        try {
          checkBearer(call.metadata, deps.token, "AgentService");
          requireDecoded(call.request, "AgentService.Info");
          const d = await deps.runner.describe();
          callback(null, {
            id: deps.id, backend: d.backend, svd: d.svd, device: d.device, memoryBytes: d.memory.rssBytes,
            cachedModels: work.cachedRefs(d.cachedModels), capacity: deps.capacity, inFlight: work.inFlight,
            ...memoryReportToWire(work.namedReport(d.memoryBudget)),
          });
        } catch (e) {
          callback(toServiceError(e));
        }
      })();
    },
  };
}
