// A whole coordinator process: NATS bus + JetStream store + remote pool + JobService + gRPC + /metrics.
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "../../common/log.ts";
import type { TlsFiles } from "../../proto/auth.ts";
import { closeNats, connectNats, watchNatsStatus, type NatsOptions } from "../../common/nats.ts";
import { NatsEventBus } from "../events/nats.ts";
import { JobServiceImpl } from "../jobs/service.ts";
import { CoordinatorMetrics } from "../metrics/registry.ts";
import { serveMetrics, type MetricsServer } from "../../common/metrics-http.ts";
import { RemoteAgentPool } from "../pool/remote.ts";
import { JetStreamJobStore } from "../store/jetstream.ts";
import { CoordinatorServer } from "./server.ts";

export interface CoordinatorNodeOptions {
  /** HOST:PORT of CoordinatorService. */
  listen: string;
  /** How long in-flight calls may finish on close before they are cancelled, ms. @default 5000 */
  shutdownGraceMs?: number;
  nats: NatsOptions;
  /** Token clients must present. @default none */
  token?: string;
  /** TLS of CoordinatorService. @default plain */
  tls?: TlsFiles;
  /** HOST:PORT for GET /metrics. @default none */
  metrics?: string;
  /** Token the agents expect. @default same as `token` */
  agentToken?: string;
  /** TLS to dial agents with. @default plain */
  agentTls?: TlsFiles;
  /** JetStream KV bucket. @default "c2i_jobs" */
  bucket?: string;
  /** @default 5000 */
  lostAfterMs?: number;
  /** Per-shard deadline, ms. @default 600000 */
  shardDeadlineMs?: number;
  /** Attempts per shard across agents. @default 4 */
  maxAttempts?: number;
  /** Written into every result.json. @default { node: process.version } */
  versions?: Record<string, string>;
  /** Before resuming unfinished jobs, wait this long for the first agent heartbeat, ms. @default 5000 */
  agentWaitMs?: number;
  log: Logger;
}

export class CoordinatorNode {
  private constructor(
    readonly address: string,
    readonly metricsServer: MetricsServer | undefined,
    readonly jobs: JobServiceImpl,
    readonly pool: RemoteAgentPool,
    readonly resumed: string[],
    private readonly parts: { server: CoordinatorServer; metrics: CoordinatorMetrics; nc: NatsConnection; store: JetStreamJobStore },
  ) {}

  static async start(o: CoordinatorNodeOptions): Promise<CoordinatorNode> {
    const log = o.log;
    if (!o.token && !/^(127\.|localhost|\[?::1\]?)/.test(o.listen)) {
      log.warn({ listen: o.listen }, "CoordinatorService is open to the network without a token: set --token or C2I_TOKEN");
    }
    const nc = await connectNats({ name: "c2i-coordinator", ...o.nats }, "is nats-server running with -js? check --nats");
    watchNatsStatus(nc, log);
    try {
      const bus = NatsEventBus.over(nc, log);
      const store = await JetStreamJobStore.open(nc, { bucket: o.bucket, logger: log });
      const metrics = new CoordinatorMetrics();
      metrics.listen(bus);
      const pool = new RemoteAgentPool({
        bus, agentToken: o.agentToken ?? o.token, tls: o.agentTls, lostAfterMs: o.lostAfterMs, maxAttempts: o.maxAttempts,
        defaultDeadlineMs: o.shardDeadlineMs, observer: metrics, logger: log,
      });
      const jobs = new JobServiceImpl({
        store, bus, pool, logger: log, ...(o.versions ? { versions: o.versions } : {}),
        run: {
          ...(o.shardDeadlineMs ? { deadlineMs: o.shardDeadlineMs } : {}),
          onRetry: (shard, attempt, reason) => log.warn({ shard, attempt, reason }, "shard retried"),
        },
      });
      const server = await CoordinatorServer.start({ listen: o.listen, tls: o.tls, token: o.token, jobs, pool, log, shutdownGraceMs: o.shutdownGraceMs });
      const metricsServer = o.metrics
        ? await serveMetrics(metrics.registry, o.metrics, async () => metrics.countJobs(await store.list()))
        : undefined;
      // A restarted coordinator hears agents within one heartbeat; resuming before that would plan
      // with zero capacity.
      await pool.waitForAgents(1, o.agentWaitMs ?? 5_000).catch(() => log.warn("no agent yet; unfinished jobs resume and wait for agents"));
      const resumed = await jobs.resumeUnfinished();
      if (resumed.length > 0) log.info({ jobs: resumed }, "resumed unfinished jobs");
      log.info({ address: server.address, metrics: metricsServer?.address, nats: o.nats.servers }, "coordinator serving");
      return new CoordinatorNode(server.address, metricsServer, jobs, pool, resumed, { server, metrics, nc, store });
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  /** Stops serving; running jobs stay "running" in the store and resume on the next start. */
  async close(): Promise<void> {
    const { server, metrics, nc, store } = this.parts;
    await server.close();
    await this.jobs.close();
    await this.pool.close();
    metrics.close();
    await this.metricsServer?.close();
    try {
      await store.close();
    } finally {
      await closeNats(nc);
    }
  }
}
