// Requests grpc-js cannot decode: refused as INVALID_ARGUMENT by the handler, after the token check, instead of grpc-js's bare INTERNAL.
import type * as protoLoader from "@grpc/proto-loader";
import { C2iError, ErrorCode } from "../common/errors.ts";

/**
 * grpc-js answers a request whose bytes do not decode with INTERNAL ("Error deserializing request") before any
 * handler or token check runs: no c2i code, a status that says "server bug", and one c2i clients treat as
 * transient and retry. Decoding through `markUndecodableRequests` never throws; the handler calls
 * `requireDecoded` and the caller gets INVALID_ARGUMENT (or UNAUTHENTICATED first, without a token).
 */
const UNDECODABLE = Symbol("c2i.undecodable");

type Undecodable = { [UNDECODABLE]: string };

function isMethod(m: unknown): m is protoLoader.MethodDefinition<unknown, unknown> {
  return m !== null && typeof m === "object" && typeof (m as { requestDeserialize?: unknown }).requestDeserialize === "function";
}

/** Wraps the request decoder of every method of every service in `def`, in place; returns `def`. */
export function markUndecodableRequests(def: protoLoader.PackageDefinition): protoLoader.PackageDefinition {
  for (const service of Object.values(def)) {
    if (service === null || typeof service !== "object" || "format" in service) continue; // message and enum types
    for (const method of Object.values(service)) {
      if (!isMethod(method)) continue;
      const decode = method.requestDeserialize;
      method.requestDeserialize = (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (e) {
          return { [UNDECODABLE]: (e as Error).message } satisfies Undecodable;
        }
      };
    }
  }
  return def;
}

/** Throws INVALID_ARGUMENT when `request` is the marker of bytes that did not decode. */
export function requireDecoded(request: unknown, method: string): void {
  if (request !== null && typeof request === "object" && UNDECODABLE in request) {
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `${method}: the request is not a valid c2i.v1 message for this method (${(request as Undecodable)[UNDECODABLE]}); build clients from proto/c2i/v1`,
    );
  }
}
