// The AgentService as a client sees it: Info (memory plans too), gRPC health, token, and refusal of paths outside the roots.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProto } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/log.ts";
import { agentMetricNames as n } from "../../agent/metrics/names.ts";
import { AgentServer } from "../../agent/server/server.ts";
import { AllowedRoots } from "../../agent/security/roots.ts";
import { bearerMetadata } from "../../proto/auth.ts";
import type { AgentServiceClient } from "../../proto/gen/c2i/v1/AgentService.ts";
import { channelOptions, loadAgentProto } from "../../proto/load.ts";
import { evaluateShardToWire, prepareShardToWire } from "../../proto/convert.ts";
import type { AgentInfoReply__Output } from "../../proto/gen/c2i/v1/AgentInfoReply.ts";
import { memoryReportFromWire } from "../../proto/memory-report.ts";
import { fromServiceError } from "../../proto/status.ts";
import { makeRoot } from "../fixtures/sleep-agents.ts";
import { SleepRunner, sleepPlan } from "../fixtures/sleep-runner.ts";

describe("AgentService server", () => {
  let root: ReturnType<typeof makeRoot>;
  let agent: AgentServer;
  let client: AgentServiceClient;
  const runner = new SleepRunner({ sleepMs: 5 });
  beforeAll(async () => {
    root = makeRoot();
    agent = await AgentServer.start({
      id: "agent-x", listen: "127.0.0.1:0", roots: new AllowedRoots([root.dir]), runner, capacity: 3, token: "tok", log: silentLogger(),
    });
    client = new (loadAgentProto().c2i.v1.AgentService)(agent.address, grpc.credentials.createInsecure(), channelOptions());
  });
  afterAll(async () => {
    client?.close();
    await agent?.close();
    root?.remove();
  });

  const deadline = () => ({ deadline: new Date(Date.now() + 10_000) });

  it("answers Info with its id, backend, capacity and load", async () => {
    const info = await new Promise((resolve, reject) =>
      client.Info({}, bearerMetadata("tok"), deadline(), (err, res) => (err ? reject(err) : resolve(res))));
    expect(info).toMatchObject({ id: "agent-x", backend: "sleep", svd: "none", capacity: 3, inFlight: 0, cachedModels: [], memoryPlans: [] });
    // No budget: no memory report, not a zero budget.
    expect((info as AgentInfoReply__Output).memoryBudgetBytes).toBeUndefined();
  });

  it("answers Info with its budget and each cached model's plan, the model named as the caller named it, and exports the plan", async () => {
    const budgeted = await AgentServer.start({
      id: "agent-b", listen: "127.0.0.1:0", roots: new AllowedRoots([root.dir]), runner: new SleepRunner({ sleepMs: 1, memoryBudgetBytes: 2 ** 30 }),
      log: silentLogger(),
    });
    const c = new (loadAgentProto().c2i.v1.AgentService)(budgeted.address, grpc.credentials.createInsecure(), channelOptions());
    try {
      const info = () => new Promise<AgentInfoReply__Output>((resolve, reject) => c.Info({}, new grpc.Metadata(), deadline(), (e, r) => (e ? reject(e) : resolve(r!))));
      expect(memoryReportFromWire(await info())).toEqual({ budgetBytes: 2 ** 30, plans: [] });
      // "model" is relative to the root: the runner sees the real path, the caller its own name.
      const shard = prepareShardToWire({ kind: "prepare", shardId: "p", ref: { jobId: "j", model: "model", dataset: root.dataset } });
      await new Promise((resolve, reject) => c.Prepare(shard, new grpc.Metadata(), deadline(), (e, r) => (e ? reject(e) : resolve(r))));
      const after = await info();
      expect(after.cachedModels).toEqual(["model"]);
      expect(memoryReportFromWire(after)).toEqual({ budgetBytes: 2 ** 30, plans: [sleepPlan("model", 2 ** 30)] });
      const text = await budgeted.metrics.registry.getSingleMetricAsString(n.memoryPlanBytes);
      expect(text).toContain(`${n.memoryPlanBytes}{model="model",part="total"} ${2 * 2 ** 20}`);
      expect(text).toContain(`${n.memoryPlanBytes}{model="model",part="budget"} ${2 ** 30}`);
    } finally {
      c.close();
      await budgeted.close();
    }
  });

  it("refuses a caller without its token", async () => {
    const err = await new Promise((resolve) => client.Info({}, new grpc.Metadata(), deadline(), (e) => resolve(e)));
    expect(fromServiceError(err, "agent").code).toBe("UNAUTHENTICATED");
  });

  it("refuses an evaluate shard whose dataset is ../../etc/passwd, before any compute", async () => {
    const shard = evaluateShardToWire({
      kind: "evaluate", shardId: "evaluate:0", ref: { jobId: "j", model: root.model, dataset: "../../etc/passwd" },
      samples: { name: "adapt", indices: [0] }, candidates: [null],
    });
    const err = await new Promise((resolve) => client.Evaluate(shard, bearerMetadata("tok"), deadline(), (e) => resolve(e)));
    const e = fromServiceError(err, "agent");
    expect(e.code).toBe("PATH_NOT_ALLOWED");
    expect(e.message).toContain("../../etc/passwd");
    expect((err as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(runner.started).toEqual([]);
  });

  it("refuses bytes that are not a request message as INVALID_ARGUMENT (after the token check), not grpc-js's bare INTERNAL", async () => {
    const raw = new grpc.Client(agent.address, grpc.credentials.createInsecure());
    const send = (bytes: Buffer, md: grpc.Metadata) =>
      new Promise<grpc.ServiceError>((resolve) =>
        raw.makeUnaryRequest("/c2i.v1.AgentService/Evaluate", (b: Buffer) => b, (b: Buffer) => b, bytes, md, deadline(), (e) => resolve(e!)));
    try {
      const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]);
      const err = await send(garbage, bearerMetadata("tok"));
      expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fromServiceError(err, "agent")).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("not a valid c2i.v1 message") });
      expect(fromServiceError(await send(garbage, new grpc.Metadata()), "agent").code).toBe("UNAUTHENTICATED");
      expect(runner.started).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it("reports SERVING on the standard gRPC health service, for the server and for c2i.v1.AgentService", async () => {
    const def = protoLoader.loadSync(healthProto, { enums: String });
    const Health = (grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: typeof grpc.Client } } } }).grpc.health.v1.Health;
    const health = new Health(agent.address, grpc.credentials.createInsecure()) as grpc.Client & {
      Check(req: { service: string }, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: { status: string }) => void): void;
    };
    try {
      for (const service of ["", "c2i.v1.AgentService"]) {
        const reply = await new Promise<{ status: string } | undefined>((resolve, reject) =>
          health.Check({ service }, deadline(), (e, r) => (e ? reject(e) : resolve(r))));
        expect(reply?.status).toBe("SERVING");
      }
    } finally {
      health.close();
    }
  });
});
