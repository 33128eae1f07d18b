// Loads the c2i.v1 protos once per caller with the loader options the generated types assume.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ProtoGrpcType as AgentProto } from "./gen/agent.ts";
import type { ProtoGrpcType as CoordinatorProto } from "./gen/coordinator.ts";
import { markUndecodableRequests } from "./undecodable.ts";

export const PROTO_ROOT = fileURLToPath(new URL(".", import.meta.url));

/** Must match the flags in scripts/gen-proto-types.sh, or the generated types lie. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/**
 * Message size limits, set on purpose: shards and results are plain numbers and names (no
 * tensors), so 16 MiB is ample for a 10k-sample index list or 1k candidates × 20 σ, and a
 * client or peer sending more is wrong, not large.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Keepalive pings find a dead peer (kill -9, cable pulled) while a long shard runs. */
export const KEEPALIVE = {
  /** @default 10 s between pings */
  timeMs: 10_000,
  /** @default 5 s to answer a ping */
  timeoutMs: 5_000,
} as const;

export function channelOptions(): grpc.ChannelOptions {
  return {
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    "grpc.keepalive_time_ms": KEEPALIVE.timeMs,
    "grpc.keepalive_timeout_ms": KEEPALIVE.timeoutMs,
    "grpc.keepalive_permit_without_calls": 1,
  };
}

export function serverOptions(): grpc.ServerOptions {
  return {
    ...channelOptions(),
    // Let clients ping as often as KEEPALIVE asks without being sent GOAWAY.
    "grpc.http2.min_ping_interval_without_data_ms": Math.floor(KEEPALIVE.timeMs / 2),
  };
}

/** Requests that do not decode reach the handlers as a marker they refuse (proto/undecodable.ts). */
export function loadAgentProto(): AgentProto {
  const def = markUndecodableRequests(protoLoader.loadSync("c2i/v1/agent.proto", LOADER_OPTIONS));
  return grpc.loadPackageDefinition(def) as unknown as AgentProto;
}

export function loadCoordinatorProto(): CoordinatorProto {
  const def = markUndecodableRequests(protoLoader.loadSync("c2i/v1/coordinator.proto", LOADER_OPTIONS));
  return grpc.loadPackageDefinition(def) as unknown as CoordinatorProto;
}
