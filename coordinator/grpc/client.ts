// A typed CoordinatorService client for the CLI and programs: deadlines on every call, errors as C2iError.
import * as grpc from "@grpc/grpc-js";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { bearerMetadata, channelCredentials, type TlsFiles } from "../../proto/auth.ts";
import type { CoordinatorServiceClient } from "../../proto/gen/c2i/v1/CoordinatorService.ts";
import type { Job__Output } from "../../proto/gen/c2i/v1/Job.ts";
import type { AgentSummary__Output } from "../../proto/gen/c2i/v1/AgentSummary.ts";
import type { ListAgentsReply__Output } from "../../proto/gen/c2i/v1/ListAgentsReply.ts";
import type { ListJobsReply__Output } from "../../proto/gen/c2i/v1/ListJobsReply.ts";
import { channelOptions, loadCoordinatorProto } from "../../proto/load.ts";
import { memoryReportFromWire } from "../../proto/memory-report.ts";
import { fromServiceError } from "../../proto/status.ts";
import type { JobRecord, JobState } from "../store/types.ts";
import type { AgentInfo } from "../pool/types.ts";

export interface CoordinatorClientOptions {
  token?: string;
  tls?: TlsFiles;
  /** Deadline of each unary call, ms. @default 30000 */
  deadlineMs?: number;
}

export interface WatchedEvent {
  event: string;
  data: Record<string, unknown>;
}

function recordFromWire(j: Job__Output): JobRecord {
  const r: JobRecord = {
    id: j.id, state: j.state as JobState, createdAt: j.createdAt, updatedAt: j.updatedAt, revision: j.revision,
    spec: JSON.parse(j.specJson || "{}") as Record<string, unknown>,
  };
  if (j.phase) r.phase = j.phase;
  if (j.resultJson) r.result = JSON.parse(j.resultJson) as Record<string, unknown>;
  if (j.error) r.error = j.error;
  return r;
}

function agentFromWire(a: AgentSummary__Output): AgentInfo {
  const memoryBudget = memoryReportFromWire(a);
  return {
    id: a.id, address: a.address, backend: a.backend, svd: a.svd, state: a.state as AgentInfo["state"],
    inFlight: a.inFlight, capacity: a.capacity, cachedModels: a.cachedModels,
    ...(memoryBudget ? { memoryBudget } : {}),
  };
}

export class CoordinatorClient {
  private readonly client: CoordinatorServiceClient;

  constructor(readonly address: string, private readonly options: CoordinatorClientOptions = {}) {
    const Client = loadCoordinatorProto().c2i.v1.CoordinatorService;
    this.client = new Client(address, channelCredentials(options.tls), channelOptions());
  }

  private unary<Req, Res>(method: string, call: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<Res>) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + (this.options.deadlineMs ?? 30_000));
      call.call(this.client, req, bearerMetadata(this.options.token), { deadline }, (err, res) =>
        err ? reject(fromServiceError(err, `coordinator ${this.address} ${method} (is \`c2i coordinator\` running there? check --coordinator)`, ErrorCode.UNAVAILABLE)) : resolve(res!));
    });
  }

  async submit(spec: Record<string, unknown>): Promise<JobRecord> {
    return recordFromWire(await this.unary("SubmitJob", this.client.SubmitJob, { specJson: JSON.stringify(spec) }));
  }

  async get(id: string): Promise<JobRecord> {
    return recordFromWire(await this.unary("GetJob", this.client.GetJob, { id }));
  }

  async cancel(id: string): Promise<JobRecord> {
    return recordFromWire(await this.unary("CancelJob", this.client.CancelJob, { id }));
  }

  async list(): Promise<JobRecord[]> {
    const reply = await this.unary<object, ListJobsReply__Output>("ListJobs", this.client.ListJobs, {});
    return reply.jobs.map(recordFromWire);
  }

  async agents(): Promise<AgentInfo[]> {
    const reply = await this.unary<object, ListAgentsReply__Output>("ListAgents", this.client.ListAgents, {});
    return reply.agents.map(agentFromWire);
  }

  /**
   * The job's events until it ends (the stream closes after a terminal `state` event). No deadline:
   * a job may run for hours; `signal` ends the watch.
   */
  async *watch(id: string, signal?: AbortSignal): AsyncGenerator<WatchedEvent> {
    const stream = this.client.WatchJob({ id }, bearerMetadata(this.options.token));
    const onAbort = () => stream.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const m of stream as AsyncIterable<{ event: string; dataJson: string }>) {
        yield { event: m.event, data: JSON.parse(m.dataJson || "{}") as Record<string, unknown> };
      }
    } catch (e) {
      if (signal?.aborted) return;
      throw fromServiceError(e, `coordinator ${this.address} WatchJob`, ErrorCode.UNAVAILABLE);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      stream.cancel();
    }
  }

  /** Waits until the coordinator answers health-wise (its channel is READY), ms. */
  ready(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.waitForReady(Date.now() + timeoutMs, (err) =>
        err ? reject(new C2iError(ErrorCode.UNAVAILABLE, `coordinator ${this.address} not reachable within ${timeoutMs} ms (is \`c2i coordinator\` running? check --coordinator)`)) : resolve()));
  }

  close(): void {
    this.client.close();
  }
}
