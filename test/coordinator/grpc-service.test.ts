// CoordinatorService as a client sees it: when the request is wrong, each refusal ends the call with its code and stores
// nothing; ListAgents hands over the pool's agents unchanged, memory plans included.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { silentLogger } from "../../common/log.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import { CoordinatorServer } from "../../coordinator/grpc/server.ts";
import { JobServiceImpl } from "../../coordinator/jobs/service.ts";
import type { AgentPool } from "../../coordinator/pool/types.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";
import { bearerMetadata } from "../../proto/auth.ts";
import { describeAgent } from "../../cli/commands/agents.ts";
import type { AgentInfo } from "../../coordinator/pool/types.ts";
import { sleepPlan } from "../fixtures/sleep-runner.ts";
import { fromServiceError } from "../../proto/status.ts";

const noAgents: AgentPool = {
  run: async () => {
    throw new C2iError(ErrorCode.NOT_FOUND, "no agents in this test");
  },
  agents: () => [],
  close: async () => {},
};

describe("CoordinatorService refusals", () => {
  const store = new MemoryJobStoreImpl();
  const jobs = new JobServiceImpl({ store, bus: new MemoryEventBusImpl(), pool: noAgents });
  let server: CoordinatorServer;
  let client: CoordinatorClient;
  beforeAll(async () => {
    server = await CoordinatorServer.start({ listen: "127.0.0.1:0", jobs, pool: noAgents, token: "tok", log: silentLogger() });
    client = new CoordinatorClient(server.address, { token: "tok", deadlineMs: 10_000 });
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
    await jobs.close();
  });

  const drain = async (events: AsyncGenerator<unknown>) => {
    for await (const _ of events) {
      // a refused watch yields nothing
    }
  };

  it("ends WatchJob of an unknown job with NOT_FOUND, and without the token with UNAUTHENTICATED, instead of never answering", async () => {
    const t0 = performance.now();
    await expect(drain(client.watch("no-such-job"))).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("no-such-job") });
    const anonymous = new CoordinatorClient(server.address);
    try {
      await expect(drain(anonymous.watch("no-such-job"))).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    } finally {
      anonymous.close();
    }
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it("answers GetJob and WatchJob of a 100,000-character id with NOT_FOUND, its message cut to fit a gRPC status, instead of no answer", async () => {
    const id = "x".repeat(100_000);
    const t0 = performance.now();
    const e = await client.get(id).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("more characters") });
    expect((e as Error).message.length).toBeLessThan(2_000);
    await expect(drain(client.watch(id))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(client.list()).resolves.toEqual([]);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it("refuses undecodable SubmitJob bytes and a bad spec with INVALID_ARGUMENT, storing no job", async () => {
    const raw = new grpc.Client(server.address, grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError>((resolve) =>
        raw.makeUnaryRequest("/c2i.v1.CoordinatorService/SubmitJob", (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0xff, 0x01]), bearerMetadata("tok"), { deadline: Date.now() + 10_000 }, (e) => resolve(e!)));
      expect(fromServiceError(err, "coordinator")).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("SubmitJob") });
    } finally {
      raw.close();
    }
    await expect(client.submit({ model: "m", dataset: "d", strategy: "constructor" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(client.submit({ model: "m", dataset: "d", task: { maxTokens: "many" } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await store.list()).toEqual([]);
  });
});

describe("CoordinatorService ListAgents", () => {
  const plan = sleepPlan("hf:org/model", 2 ** 30);
  const listed: AgentInfo[] = [
    { id: "a1", address: "10.0.0.1:7071", backend: "wasm", svd: "lapack", state: "busy", inFlight: 1, capacity: 2, cachedModels: ["hf:org/model", "/data/m2"],
      memoryBudget: { budgetBytes: 2 ** 30, plans: [plan, { ...plan, model: "/data/m2", gradientSumBytes: 5 * 2 ** 20 }] } },
    { id: "a2", address: "10.0.0.2:7071", backend: "cpu", svd: "typescript", state: "idle", inFlight: 0, capacity: 1, cachedModels: [], memoryBudget: { budgetBytes: 2 ** 31, plans: [] } },
    { id: "a3", address: "10.0.0.3:7071", backend: "cpu", svd: "typescript", state: "lost", inFlight: 0, capacity: 1, cachedModels: [] },
  ];
  const pool: AgentPool = { ...noAgents, agents: () => listed };
  const jobs = new JobServiceImpl({ store: new MemoryJobStoreImpl(), bus: new MemoryEventBusImpl(), pool });
  let server: CoordinatorServer;
  let client: CoordinatorClient;
  beforeAll(async () => {
    server = await CoordinatorServer.start({ listen: "127.0.0.1:0", jobs, pool, log: silentLogger() });
    client = new CoordinatorClient(server.address, { deadlineMs: 10_000 });
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
    await jobs.close();
  });

  it("returns every agent as the pool lists it, its budget and plans included (none for an agent without a budget)", async () => {
    const agents = await client.agents();
    expect(agents).toEqual(listed);
    expect(agents[2]).not.toHaveProperty("memoryBudget");
  });

  it("prints one indented line per plan under its agent in `c2i agents`", async () => {
    const lines = (await client.agents()).map(describeAgent).join("\n").split("\n");
    expect(lines).toEqual([
      "a1  busy  1/2  10.0.0.1:7071  wasm lapack  models: hf:org/model, /data/m2",
      "    memory plan hf:org/model: host weights 1.0 MiB (F32), backend weights 0 B, widen scratch 0 B, activations 1.0 MiB (16 × 48 tokens), " +
        "SVD factor cache 0 B, layer cache 0 B; total 2.0 MiB of a 1.00 GiB budget",
      "    memory plan /data/m2: host weights 1.0 MiB (F32), backend weights 0 B, widen scratch 0 B, activations 1.0 MiB (16 × 48 tokens), " +
        "gradient sums 5.0 MiB, SVD factor cache 0 B, layer cache 0 B; total 2.0 MiB of a 1.00 GiB budget",
      "a2  idle  0/1  10.0.0.2:7071  cpu typescript  models: -",
      "a3  lost  0/1  10.0.0.3:7071  cpu typescript  models: -",
    ]);
  });
});
