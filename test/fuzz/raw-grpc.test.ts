// The campaign's gRPC client holds servers to the documented form of an error: a c2i code under the status proto/status.ts
// maps it to. A fake server on 127.0.0.1 answers each way; only the documented one reaches the campaign as its code.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { RawClient } from "./raw-grpc.ts";
import { NoAnswerError } from "./surface.ts";

/** What the fake server answers to /fake.Fake/<name>. */
const ANSWERS: Record<string, { code: grpc.status; c2i?: string } | "never"> = {
  documented: { code: grpc.status.PERMISSION_DENIED, c2i: "PATH_NOT_ALLOWED" },
  wrongStatus: { code: grpc.status.INVALID_ARGUMENT, c2i: "PATH_NOT_ALLOWED" },
  bare: { code: grpc.status.INVALID_ARGUMENT },
  tooLarge: { code: grpc.status.RESOURCE_EXHAUSTED },
  never: "never",
};

let server: grpc.Server;
let client: RawClient;

beforeAll(async () => {
  server = new grpc.Server();
  const identity = (b: Buffer) => b;
  const service: grpc.ServiceDefinition = Object.fromEntries(Object.keys(ANSWERS).map((name) => [name, {
    path: `/fake.Fake/${name}`, requestStream: false, responseStream: false,
    requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
  }]));
  const handlers = Object.fromEntries(Object.entries(ANSWERS).map(([name, answer]) => [name, (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => {
    if (answer === "never") return;
    const metadata = new grpc.Metadata();
    if (answer.c2i) metadata.set("c2i-code", answer.c2i);
    callback({ code: answer.code, details: name, metadata });
  }]));
  server.addService(service, handlers);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  client = new RawClient(`127.0.0.1:${port}`);
});

afterAll(() => {
  client.close();
  server.forceShutdown();
});

const call = (name: string, deadlineMs = 5_000) => client.unary(`/fake.Fake/${name}`, Buffer.alloc(0), new grpc.Metadata(), deadlineMs);

describe("RawClient", () => {
  it("passes a c2i code sent under its documented status", async () => {
    await expect(call("documented")).rejects.toMatchObject({ code: ErrorCode.PATH_NOT_ALLOWED });
  });

  it("turns a c2i code under another status, or a status without a c2i code, into INTERNAL", async () => {
    for (const name of ["wrongStatus", "bare"]) {
      const e = await call(name).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(C2iError);
      expect((e as C2iError).code).toBe(ErrorCode.INTERNAL);
    }
  });

  it("lets grpc-js's own message-size refusal stand as INVALID_ARGUMENT", async () => {
    await expect(call("tooLarge")).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it("reports a missed deadline as no answer", async () => {
    await expect(call("never", 200)).rejects.toBeInstanceOf(NoAnswerError);
  });
});
