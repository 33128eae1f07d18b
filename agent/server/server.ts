// The agent process's servers: AgentService + gRPC health on --listen, heartbeats on NATS, /metrics.
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { NatsConnection } from "@nats-io/transport-node";
import { shutdownGracefully } from "../../common/grpc-shutdown.ts";
import type { Logger } from "../../common/log.ts";
import { bindServer, type TlsFiles } from "../../proto/auth.ts";
import { loadAgentProto, serverOptions } from "../../proto/load.ts";
import { createAgentMetrics, type AgentMetrics } from "../metrics/registry.ts";
import { serveMetrics, type MetricsServer } from "../../common/metrics-http.ts";
import type { AllowedRoots } from "../security/roots.ts";
import { Heartbeater } from "./heartbeat.ts";
import { connectAgentNats, type AgentNatsOptions } from "./nats-link.ts";
import { closeNats } from "../../common/nats.ts";
import type { RunnerDescription, ShardRunner } from "./runner.ts";
import { AgentWork, agentHandlers } from "./service.ts";

export const AGENT_SERVICE_NAME = "c2i.v1.AgentService";

export interface AgentServerOptions {
  id: string;
  /** HOST:PORT to bind; port 0 picks a free one. */
  listen: string;
  /** Address put in heartbeats for the coordinator to dial. @default the bound HOST:PORT */
  advertise?: string;
  roots: AllowedRoots;
  runner: ShardRunner;
  /** Shards this agent runs at once (the pool never sends more). @default 1 */
  capacity?: number;
  /** Bearer token callers must present. @default none (open) */
  token?: string;
  tls?: TlsFiles;
  /** Heartbeats go here; without it the agent is reachable only by address. @default none */
  nats?: AgentNatsOptions;
  /** @default 1000 */
  heartbeatMs?: number;
  /** HOST:PORT for GET /metrics. @default none */
  metrics?: string;
  /** Longest wait for running calls on close before forcing, ms. @default 10000 */
  shutdownGraceMs?: number;
  log: Logger;
}

export class AgentServer {
  private constructor(
    readonly address: string,
    readonly metrics: AgentMetrics,
    private readonly server: grpc.Server,
    private readonly health: HealthImplementation,
    private readonly heartbeater: Heartbeater | undefined,
    private readonly nc: NatsConnection | undefined,
    readonly metricsServer: MetricsServer | undefined,
    private readonly options: AgentServerOptions,
  ) {}

  static async start(options: AgentServerOptions): Promise<AgentServer> {
    const { log } = options;
    if (!options.token && !/^(127\.|localhost|\[?::1\]?)/.test(options.listen)) {
      log.warn({ listen: options.listen }, "AgentService is open to the network without a token: set --token or C2I_AGENT_TOKEN");
    }
    const capacity = options.capacity ?? 1;
    const metrics = createAgentMetrics();
    let description: RunnerDescription = { backend: "starting", svd: "", device: "", cachedModels: [], memory: { rssBytes: 0, tfBytes: 0, tfTensors: 0 } };
    let heartbeater: Heartbeater | undefined;
    const deps = {
      id: options.id, capacity, roots: options.roots, runner: options.runner, metrics, log, token: options.token,
      // After a shard the compute process may hold a new model: refresh, then announce it.
      onLoadChange: (ended: boolean) => {
        if (!ended) return heartbeater?.nudge();
        void refresh().catch(() => {}).then(() => heartbeater?.nudge());
      },
    };
    const work = new AgentWork(deps);
    const refresh = async () => {
      description = await options.runner.describe();
      metrics.tfjsBytes.set(description.memory.tfBytes);
      metrics.tfjsTensors.set(description.memory.tfTensors);
      metrics.computeRssBytes.set(description.memory.rssBytes);
      if (description.layerCache) metrics.observeLayerCache(description.layerCache);
      if (description.sharedWork) metrics.observeSharedWork(description.sharedWork);
      metrics.observeMemoryPlans(work.namedReport(description.memoryBudget));
      metrics.info.reset();
      metrics.info.set({ agent: options.id, backend: description.backend, svd: description.svd }, 1);
    };
    await refresh();
    log.info({ backend: description.backend, svd: description.svd, device: description.device }, "compute ready");

    const server = new grpc.Server(serverOptions());
    const proto = loadAgentProto();
    server.addService(proto.c2i.v1.AgentService.service, agentHandlers(deps, work));
    const health = new HealthImplementation({ "": "SERVING", [AGENT_SERVICE_NAME]: "SERVING" });
    health.addToServer(server);
    const bound = await bindServer(server, options.listen, options.tls, "agent");
    const address = options.advertise ?? bound;

    let nc: NatsConnection | undefined;
    let metricsServer: MetricsServer | undefined;
    try {
      if (options.nats) {
        nc = await connectAgentNats(options.nats, `c2i-agent-${options.id}`, log);
        heartbeater = new Heartbeater(nc, () => ({
          id: options.id, address, backend: description.backend, svd: description.svd, device: description.device,
          capacity, inFlight: work.inFlight, cachedModels: work.cachedRefs(description.cachedModels),
          ...(description.memoryBudget ? { memoryBudget: work.namedReport(description.memoryBudget) } : {}),
        }), log, { intervalMs: options.heartbeatMs });
        heartbeater.start();
      }
      if (options.metrics) metricsServer = await serveMetrics(metrics.registry, options.metrics, refresh);
    } catch (e) {
      server.forceShutdown();
      await nc?.close();
      throw e;
    }
    // Between shards too (caches expire, memory moves): refresh the description periodically.
    const refreshTimer = setInterval(() => void refresh().catch(() => {}), Math.max(options.heartbeatMs ?? 1_000, 1_000) * 5);
    refreshTimer.unref();
    const agent = new AgentServer(address, metrics, server, health, heartbeater, nc, metricsServer, options);
    agent.stopRefresh = () => clearInterval(refreshTimer);
    log.info({ address, metrics: metricsServer?.address, nats: options.nats?.servers }, "agent serving");
    return agent;
  }

  private stopRefresh: () => void = () => {};

  /** Graceful: stop announcing, finish or cancel running calls, stop compute, close NATS and /metrics. */
  async close(): Promise<void> {
    this.stopRefresh();
    this.health.setStatus("", "NOT_SERVING");
    this.health.setStatus(AGENT_SERVICE_NAME, "NOT_SERVING");
    await this.heartbeater?.stop();
    await shutdownGracefully(this.server, this.options.shutdownGraceMs ?? 10_000);
    await this.options.runner.close();
    if (this.nc) await closeNats(this.nc);
    await this.metricsServer?.close();
  }
}
