// CoordinatorService surface: raw bytes and hostile requests over loopback to a real coordinator server (memory store, no agents).
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { silentLogger } from "../../../common/log.ts";
import { MemoryEventBusImpl } from "../../../coordinator/events/memory.ts";
import { CoordinatorServer } from "../../../coordinator/grpc/server.ts";
import { JobServiceImpl } from "../../../coordinator/jobs/service.ts";
import type { AgentPool } from "../../../coordinator/pool/types.ts";
import { MemoryJobStoreImpl } from "../../../coordinator/store/memory.ts";
import { mutateBytes, mutateText } from "../mutate-bytes.ts";
import { INTERESTING_STRINGS, mutateJson, serialise } from "../mutate-json.ts";
import { authMetadata, codecs, healthy, RawClient } from "../raw-grpc.ts";
import { TeardownError, type FuzzInput, type Surface } from "../surface.ts";
import { VALID_SPECS } from "./job-spec.ts";

const TOKEN = "fuzz-coordinator-token";
const SERVICE = "c2i.v1.CoordinatorService";

export interface CoordinatorSetup {
  address: string;
  client: RawClient;
  token: string;
  codec: ReturnType<typeof codecs>;
  /** Ids of jobs submitted by accepted inputs (GetJob/CancelJob/WatchJob ask for them too). */
  known: string[];
  /** Jobs in the store now: a refused SubmitJob must not change it. */
  countJobs(): Promise<number>;
  /** The in-process server (absent when the coordinator is a `c2i coordinator` process). */
  server?: CoordinatorServer;
  jobs?: JobServiceImpl;
}

/** The setup of a coordinator at `address` reached only over gRPC (a `c2i coordinator` process). */
export function remoteCoordinator(address: string, token: string): CoordinatorSetup {
  const client = new RawClient(address);
  const codec = codecs("c2i/v1/coordinator.proto", SERVICE);
  const countJobs = async () => {
    const reply = codec.ListJobs!.decodeResponse(await client.unary(`/${SERVICE}/ListJobs`, codec.ListJobs!.encode({}), authMetadata("good", token), 10_000)) as { jobs: unknown[] };
    return reply.jobs.length;
  };
  return { address, client, token, codec, known: [], countJobs };
}

/** Accepted jobs need somewhere to go: this pool has no agents and refuses every shard at once, so they fail fast. */
const noAgents: AgentPool = {
  run: async () => {
    throw new C2iError(ErrorCode.NOT_FOUND, "fuzz campaign: this coordinator has no agents");
  },
  agents: () => [],
  close: async () => {},
};

export const COORDINATOR_TOKEN = TOKEN;

export const coordinatorGrpcSurface: Surface<CoordinatorSetup> = {
  name: "grpc-coordinator",
  title: "CoordinatorService on 127.0.0.1 (raw bytes, hostile spec_json and ids) → SubmitJob/GetJob/CancelJob/WatchJob/ListJobs/ListAgents",
  codes: [ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND, ErrorCode.UNAUTHENTICATED],
  async setup() {
    const store = new MemoryJobStoreImpl();
    const jobs = new JobServiceImpl({ store, bus: new MemoryEventBusImpl(), pool: noAgents });
    const server = await CoordinatorServer.start({ listen: "127.0.0.1:0", jobs, pool: noAgents, token: TOKEN, log: silentLogger(), shutdownGraceMs: 2_000 });
    const codec = codecs("c2i/v1/coordinator.proto", SERVICE);
    return { address: server.address, client: new RawClient(server.address), token: TOKEN, codec, known: [], countJobs: async () => (await store.list()).length, server, jobs };
  },
  generate(rng, s): FuzzInput {
    const method = rng.weighted([[6, "SubmitJob"], [2, "GetJob"], [2, "CancelJob"], [2, "WatchJob"], [1, "ListJobs"], [1, "ListAgents"]] as const);
    const auth = rng.weighted([[20, "good"], [1, "none"], [1, "wrong"], [1, "malformed"]] as const);
    let request: Record<string, unknown>;
    let what: string;
    if (method === "SubmitJob") {
      const spec = rng.pick(VALID_SPECS);
      if (rng.chance(0.7)) {
        const m = mutateJson(spec, rng);
        request = { specJson: serialise(m.value, rng) };
        what = `spec ${m.what}`;
      } else if (rng.chance(0.5)) {
        const m = mutateText(JSON.stringify(spec), rng);
        request = { specJson: new TextDecoder().decode(m.value) };
        what = `spec text ${m.what}`;
      } else {
        request = { specJson: JSON.stringify(spec) };
        what = "valid spec";
      }
    } else if (method === "ListJobs" || method === "ListAgents") {
      request = {};
      what = "";
    } else {
      const id = s.known.length > 0 && rng.chance(0.5) ? rng.pick(s.known) : rng.pick(INTERESTING_STRINGS);
      request = { id };
      what = `id ${JSON.stringify(id).slice(0, 40)}`;
    }
    let body = s.codec[method]!.encode(request);
    const damage = rng.weighted([[7, "none"], [2, "bytes"], [1, "random"]] as const);
    if (damage === "bytes") {
      const m = mutateBytes(body, rng);
      body = Buffer.from(m.value);
      what += `; bytes: ${m.what}`;
    } else if (damage === "random") {
      body = Buffer.from(rng.bytes(rng.pick([1, 5, 64, 4096])));
      what = `${body.length} random bytes`;
    }
    return { files: {}, what: `${method} (${auth} token) ${what}`, data: { method, auth, body } };
  },
  async feed(input, s) {
    const { method, auth, body } = input.data as { method: string; auth: "good" | "none" | "wrong" | "malformed"; body: Buffer };
    const path = `/${SERVICE}/${method}`;
    const md = authMetadata(auth, s.token);
    const before = await s.countJobs();
    try {
      if (method === "WatchJob") {
        for (const msg of await s.client.stream(path, body, md, 10_000)) s.codec[method]!.decodeResponse(msg);
        return;
      }
      const res = s.codec[method]!.decodeResponse(await s.client.unary(path, body, md, 10_000)) as { id?: string };
      if (method === "SubmitJob" && res.id) s.known.push(res.id);
    } catch (e) {
      const after = await s.countJobs();
      if (method === "SubmitJob" && after !== before) throw new Error(`SubmitJob refused (${(e as Error).message}) but the store gained ${after - before} job(s)`);
      throw e;
    }
  },
  async teardown(s) {
    const answers = await healthy(s.address);
    s.client.close();
    await s.server?.close();
    await s.jobs?.close();
    if (!answers) throw new TeardownError("crash", "the coordinator does not answer health checks after the campaign");
  },
};
