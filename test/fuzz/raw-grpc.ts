// A gRPC client that sends raw bytes (identity serializers) to any method, and the codecs to build valid messages to damage.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { LOADER_OPTIONS } from "../../proto/load.ts";
import { fromServiceError, grpcStatusOf } from "../../proto/status.ts";
import { NoAnswerError } from "./surface.ts";

const identity = (b: Buffer) => b;

/** Request/response codecs of every method of a service in `file` (e.g. "c2i/v1/agent.proto", "c2i.v1.AgentService"). */
export function codecs(file: string, service: string): Record<string, { encode(obj: unknown): Buffer; decodeResponse(b: Buffer): unknown }> {
  const def = protoLoader.loadSync(file, LOADER_OPTIONS)[service] as grpc.ServiceDefinition;
  return Object.fromEntries(
    Object.entries(def).map(([name, m]) => [name, { encode: (o: unknown) => m.requestSerialize(o), decodeResponse: (b: Buffer) => m.responseDeserialize(b) }]),
  );
}

export class RawClient {
  private readonly client: grpc.Client;

  constructor(address: string) {
    // Send more than the server accepts: its limit, not ours, is under test.
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), { "grpc.max_send_message_length": 64 << 20, "grpc.max_receive_message_length": 64 << 20 });
  }

  /** One unary call; resolves with the response bytes, rejects with the C2iError a c2i client would see. */
  unary(path: string, body: Buffer, metadata: grpc.Metadata, deadlineMs: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(path, identity, identity, body, metadata, { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(toC2i(err, path)) : resolve(res!));
    });
  }

  /** A server stream read to its end; resolves with the messages, rejects like `unary`. */
  stream(path: string, body: Buffer, metadata: grpc.Metadata, deadlineMs: number): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const call = this.client.makeServerStreamRequest(path, identity, identity, body, metadata, { deadline: Date.now() + deadlineMs });
      call.on("data", (b: Buffer) => out.push(b));
      call.on("error", (err: grpc.ServiceError) => reject(toC2i(err, path)));
      call.on("end", () => resolve(out));
    });
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The c2i client's mapping (proto/status.ts), held to its documented form: a c2i code in metadata and the gRPC status
 * proto/status.ts maps it to. Anything else is reported as INTERNAL (no surface documents it, so the campaign counts a
 * wrong code); only grpc-js's own message-size limit (RESOURCE_EXHAUSTED, no c2i code) stands as INVALID_ARGUMENT.
 * A missed deadline is a NoAnswerError (a hang).
 */
function toC2i(err: grpc.ServiceError, path: string): Error {
  if (err.code === grpc.status.DEADLINE_EXCEEDED) return new NoAnswerError(`${path}: no answer before the deadline`);
  const e = fromServiceError(err, path, ErrorCode.UNAVAILABLE);
  const sent = err.metadata?.get("c2i-code")[0];
  if (sent === undefined) {
    if (err.code === grpc.status.RESOURCE_EXHAUSTED) return e;
    return new C2iError(ErrorCode.INTERNAL, `${grpc.status[err.code]} without a c2i code: ${e.message}`, { cause: err });
  }
  if (err.code !== grpcStatusOf(e.code)) {
    return new C2iError(ErrorCode.INTERNAL, `${e.code} sent with gRPC status ${grpc.status[err.code]}, not ${grpc.status[grpcStatusOf(e.code)]}: ${e.message}`, { cause: err });
  }
  return e;
}

/** Metadata with `authorization: Bearer <token>`, or a hostile variant of it. */
export function authMetadata(kind: "good" | "none" | "wrong" | "malformed", token: string): grpc.Metadata {
  const md = new grpc.Metadata();
  if (kind === "good") md.set("authorization", `Bearer ${token}`);
  else if (kind === "wrong") md.set("authorization", `Bearer ${token}x`);
  else if (kind === "malformed") md.set("authorization", token);
  return md;
}

/** grpc.health.v1.Health/Check for the whole server: true when it answers SERVING. */
export async function healthy(address: string): Promise<boolean> {
  const c = new RawClient(address);
  try {
    const res = await c.unary("/grpc.health.v1.Health/Check", Buffer.alloc(0), new grpc.Metadata(), 5_000);
    return res.equals(Buffer.from([0x08, 0x01])); // status = SERVING
  } catch {
    return false;
  } finally {
    c.close();
  }
}
