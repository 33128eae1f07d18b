// Bearer-token auth and TLS credentials for both services, in one place for client and server.
import { timingSafeEqual, createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { C2iError, ErrorCode } from "../common/errors.ts";

export interface TlsFiles {
  /** PEM certificate chain of this server (or client, for mutual TLS). */
  certFile?: string;
  /** PEM private key matching certFile. */
  keyFile?: string;
  /** PEM CA bundle: servers verify client certs with it (mutual TLS), clients verify the server. */
  caFile?: string;
}

function read(path: string | undefined, what: string): Buffer | null {
  if (!path) return null;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `cannot read TLS ${what} "${path}": ${(e as Error).message}`, { cause: e });
  }
}

/** Insecure without TLS files; with cert+key, TLS; adding a CA demands client certificates (mTLS). */
export function serverCredentials(tls?: TlsFiles): grpc.ServerCredentials {
  if (!tls?.certFile && !tls?.keyFile) return grpc.ServerCredentials.createInsecure();
  const cert = read(tls.certFile, "certificate");
  const key = read(tls.keyFile, "key");
  if (!cert || !key) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "TLS needs both a certificate and a key file");
  const ca = read(tls.caFile, "CA");
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

/** Binds `server` to HOST:PORT with `serverCredentials(tls)`; resolves to the bound HOST:PORT (port 0 = a free one). */
export function bindServer(server: grpc.Server, listen: string, tls: TlsFiles | undefined, who: string): Promise<string> {
  const host = listen.slice(0, listen.lastIndexOf(":"));
  return new Promise((resolve, reject) =>
    server.bindAsync(listen, serverCredentials(tls), (err, port) =>
      err ? reject(new C2iError(ErrorCode.INVALID_ARGUMENT, `${who} cannot listen on ${listen}: ${err.message}`)) : resolve(`${host}:${port}`)));
}

/** Insecure unless a CA (or client cert for mTLS) is given. */
export function channelCredentials(tls?: TlsFiles): grpc.ChannelCredentials {
  if (!tls?.caFile && !tls?.certFile) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(read(tls.caFile, "CA"), read(tls.keyFile, "key"), read(tls.certFile, "certificate"));
}

/** Call metadata carrying `authorization: Bearer <token>` (empty metadata without a token). */
export function bearerMetadata(token?: string): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set("authorization", `Bearer ${token}`);
  return md;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** Throws UNAUTHENTICATED unless the call carries the expected token (constant-time compare). */
export function checkBearer(metadata: grpc.Metadata, expected: string | undefined, service: string): void {
  if (!expected) return;
  const header = metadata.get("authorization")[0];
  const sent = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : undefined;
  if (sent === undefined || !timingSafeEqual(digest(sent), digest(expected))) {
    throw new C2iError(
      ErrorCode.UNAUTHENTICATED,
      `${service} requires a bearer token: pass --token or set C2I_TOKEN to the server's token`,
    );
  }
}
