// The one place C2iError codes map to gRPC status codes and back (the c2i code rides in metadata).
import * as grpc from "@grpc/grpc-js";
import { C2iError, ErrorCode, describeError, isC2iError } from "../common/errors.ts";

const CODE_KEY = "c2i-code";

/** Partial so a newly added code cannot break the build; unmapped codes travel as UNKNOWN (the c2i code still rides along). */
const toGrpc: Partial<Record<ErrorCode, grpc.status>> = {
  CHECKPOINT_CORRUPT: grpc.status.FAILED_PRECONDITION,
  CHECKPOINT_MISSING_TENSOR: grpc.status.FAILED_PRECONDITION,
  UNSUPPORTED_ARCH: grpc.status.UNIMPLEMENTED,
  SHAPE_MISMATCH: grpc.status.INVALID_ARGUMENT,
  TOKENIZER_MISSING: grpc.status.FAILED_PRECONDITION,
  TOKENIZER_INVALID: grpc.status.FAILED_PRECONDITION,
  DATASET_INVALID: grpc.status.INVALID_ARGUMENT,
  PATH_NOT_ALLOWED: grpc.status.PERMISSION_DENIED,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  DOWNLOAD_FAILED: grpc.status.UNAVAILABLE,
  AGENT_LOST: grpc.status.UNAVAILABLE,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  SHARD_FAILED: grpc.status.ABORTED,
  JOB_CANCELLED: grpc.status.CANCELLED,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  NUMERIC: grpc.status.OUT_OF_RANGE,
  INTERNAL: grpc.status.INTERNAL,
};

/** For a status without a c2i code (a transport failure, a foreign server). */
const fromGrpc: Partial<Record<grpc.status, ErrorCode>> = {
  [grpc.status.UNAVAILABLE]: ErrorCode.AGENT_LOST,
  [grpc.status.DEADLINE_EXCEEDED]: ErrorCode.SHARD_FAILED,
  [grpc.status.CANCELLED]: ErrorCode.JOB_CANCELLED,
  [grpc.status.UNAUTHENTICATED]: ErrorCode.UNAUTHENTICATED,
  [grpc.status.PERMISSION_DENIED]: ErrorCode.PATH_NOT_ALLOWED,
  [grpc.status.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [grpc.status.INVALID_ARGUMENT]: ErrorCode.INVALID_ARGUMENT,
  [grpc.status.RESOURCE_EXHAUSTED]: ErrorCode.INVALID_ARGUMENT,
};

/**
 * Characters of a message sent as a status. The message travels in an HTTP/2 trailer, and a trailer over the peer's
 * header-list limit (64 KiB here; percent-encoding can take a character to 12 bytes) is never delivered: the call
 * then ends in no answer at all and the connection stalls. Messages quote what the caller sent, a 100,000-character
 * shard id included, so they are cut here.
 */
const MAX_DETAILS = 1_000;

function statusMessage(message: string): string {
  if (message.length <= MAX_DETAILS) return message;
  return `${message.slice(0, MAX_DETAILS)}… (${(message.length - MAX_DETAILS).toLocaleString("en")} more characters)`;
}

/** Server side: any thrown value → a ServiceError a grpc-js callback accepts. */
export function toServiceError(e: unknown): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  if (isC2iError(e)) {
    metadata.set(CODE_KEY, e.code);
    return { code: grpcStatusOf(e.code), details: statusMessage(e.message), metadata };
  }
  metadata.set(CODE_KEY, ErrorCode.INTERNAL);
  return { code: grpc.status.INTERNAL, details: statusMessage(describeError(e)), metadata };
}

/**
 * Client side: a gRPC error → C2iError with the server's code, or the nearest one. An unreachable
 * peer is AGENT_LOST when the peer is an agent (the default), else pass `unreachable`.
 */
export function fromServiceError(e: unknown, where: string, unreachable: ErrorCode = ErrorCode.AGENT_LOST): C2iError {
  if (isC2iError(e)) return e;
  const err = e as Partial<grpc.ServiceError>;
  const sent = err.metadata?.get(CODE_KEY)[0];
  const known = typeof sent === "string" && sent in ErrorCode ? (sent as ErrorCode) : undefined;
  const mapped = err.code === grpc.status.UNAVAILABLE ? unreachable : err.code !== undefined ? fromGrpc[err.code] : undefined;
  const code = known ?? mapped ?? ErrorCode.INTERNAL;
  const details = err.details ?? (e instanceof Error ? e.message : String(e));
  return new C2iError(code, known ? details : `${where}: ${details}`, { cause: e });
}

/** True for a status that says "this peer, not this shard" — worth retrying elsewhere. */
export function isTransient(e: C2iError): boolean {
  return e.code === ErrorCode.AGENT_LOST || e.code === ErrorCode.SHARD_FAILED || e.code === ErrorCode.INTERNAL;
}

export function grpcStatusOf(code: ErrorCode): grpc.status {
  return toGrpc[code] ?? grpc.status.UNKNOWN;
}
