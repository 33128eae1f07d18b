// CoordinatorService handlers over the JobService and the AgentPool: token check, JSON specs, watch stream.
import type * as grpc from "@grpc/grpc-js";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { checkBearer } from "../../proto/auth.ts";
import type { CoordinatorServiceHandlers } from "../../proto/gen/c2i/v1/CoordinatorService.ts";
import type { Job } from "../../proto/gen/c2i/v1/Job.ts";
import type { JobEvent as JobEventMsg } from "../../proto/gen/c2i/v1/JobEvent.ts";
import { memoryReportToWire } from "../../proto/memory-report.ts";
import { toServiceError } from "../../proto/status.ts";
import { requireDecoded } from "../../proto/undecodable.ts";
import { JobEvent } from "../jobs/events.ts";
import { isTerminal } from "../jobs/service.ts";
import type { JobService } from "../jobs/types.ts";
import { parseSpecJson } from "../plan/spec.ts";
import type { AgentPool } from "../pool/types.ts";
import type { JobRecord } from "../store/types.ts";

export interface CoordinatorServiceDeps {
  jobs: JobService;
  pool: AgentPool;
  /** Bearer token clients must send. @default none (open: only for loopback use) */
  token?: string;
  log: Logger;
}

export function jobToWire(r: JobRecord): Job {
  return {
    id: r.id, state: r.state, createdAt: r.createdAt, updatedAt: r.updatedAt, specJson: JSON.stringify(r.spec), revision: r.revision,
    ...(r.phase !== undefined ? { phase: r.phase } : {}),
    ...(r.result !== undefined ? { resultJson: JSON.stringify(r.result) } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  };
}

function requireId(id: string, method: string): string {
  if (!id) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${method}: id is required`);
  return id;
}

export function coordinatorHandlers(deps: CoordinatorServiceDeps): CoordinatorServiceHandlers {
  const unary = <Req, Res>(method: string, body: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      void (async () => {
        try {
          checkBearer(call.metadata, deps.token, "CoordinatorService");
          requireDecoded(call.request, `CoordinatorService.${method}`);
          callback(null, await body(call.request));
        } catch (e) {
          if (!(e instanceof C2iError)) deps.log.error({ method, err: (e as Error).message }, "request failed");
          callback(toServiceError(e));
        }
      })();
    };

  return {
    SubmitJob: unary("SubmitJob", async (req) => {
      const record = await deps.jobs.submit(parseSpecJson(req.specJson));
      deps.log.info({ job: record.id }, "job submitted");
      return jobToWire(record);
    }),
    GetJob: unary("GetJob", async (req) => jobToWire(await deps.jobs.get(requireId(req.id, "GetJob")))),
    CancelJob: unary("CancelJob", async (req) => jobToWire(await deps.jobs.cancel(requireId(req.id, "CancelJob")))),
    ListJobs: unary("ListJobs", async () => ({ jobs: (await deps.jobs.list()).map(jobToWire) })),
    ListAgents: unary("ListAgents", async () => ({
      agents: deps.pool.agents().map((a) => ({
        id: a.id, address: a.address, backend: a.backend, svd: a.svd, state: a.state, inFlight: a.inFlight, capacity: a.capacity, cachedModels: a.cachedModels,
        ...memoryReportToWire(a.memoryBudget),
      })),
    })),
    WatchJob: (call) => {
      const send = (event: string, data: Record<string, unknown>) => {
        if (!call.writableEnded && !call.cancelled) call.write({ jobId: call.request.id, event, dataJson: JSON.stringify(data) } satisfies JobEventMsg);
      };
      let sub: { unsubscribe(): void } | undefined;
      const end = () => {
        sub?.unsubscribe();
        if (!call.writableEnded) call.end();
      };
      call.on("cancelled", () => sub?.unsubscribe());
      void (async () => {
        try {
          checkBearer(call.metadata, deps.token, "CoordinatorService");
          requireDecoded(call.request, "CoordinatorService.WatchJob");
          const id = requireId(call.request.id, "WatchJob");
          // Subscribe first, then read the record: no event between the two is lost.
          sub = deps.jobs.watch(id, (event, data) => {
            send(event, data);
            if (event === JobEvent.state && isTerminal(String(data.state))) end();
          });
          const record = await deps.jobs.get(id);
          send(JobEvent.state, { job: id, state: record.state, ...(record.phase ? { phase: record.phase } : {}), ...(record.error ? { error: record.error } : {}) });
          if (isTerminal(record.state)) end();
        } catch (e) {
          sub?.unsubscribe();
          // "error", not destroy(): grpc-js sends the status from the stream's end, which destroy() skips (the client then waits forever).
          call.emit("error", toServiceError(e));
        }
      })();
    },
  };
}
