// One NATS connection recipe for the coordinator and the agents: reconnects forever; creds, token, user or TLS.
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { C2iError, ErrorCode } from "./errors.ts";
import type { Logger } from "./log.ts";

export interface NatsOptions {
  /** Server URL(s), e.g. "nats://127.0.0.1:4222" (comma-separated for several). */
  servers: string;
  /** Path of a NATS .creds file (JWT + nkey seed). @default none */
  credsFile?: string;
  /** Token auth. @default none */
  token?: string;
  /** User/password auth. @default none */
  user?: string;
  pass?: string;
  /** TLS: CA to trust, and client cert/key for mutual TLS. @default plain TCP */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Connection name shown by the server's monitoring. @default "c2i" */
  name?: string;
  /** Wait between reconnect attempts, ms. @default 250 */
  reconnectTimeWaitMs?: number;
}

/** Connection options for @nats-io/transport-node: reconnect forever, creds/token/user/TLS as given. */
export function natsConnectionOptions(o: NatsOptions): ConnectionOptions {
  const opts: ConnectionOptions = {
    servers: o.servers.split(",").map((s) => s.trim()).filter(Boolean),
    name: o.name ?? "c2i",
    maxReconnectAttempts: -1,
    reconnectTimeWait: o.reconnectTimeWaitMs ?? 250,
    waitOnFirstConnect: false,
  };
  if (o.credsFile) opts.authenticator = credsAuthenticator(readFileSync(o.credsFile));
  if (o.token) opts.token = o.token;
  if (o.user) {
    opts.user = o.user;
    opts.pass = o.pass;
  }
  if (o.tls) opts.tls = { caFile: o.tls.caFile, certFile: o.tls.certFile, keyFile: o.tls.keyFile };
  return opts;
}

/** Opens a connection; a failure becomes UNAVAILABLE naming the client and the servers, ending with `hint`. */
export async function connectNats(o: NatsOptions, hint = "check --nats"): Promise<NatsConnection> {
  const opts = natsConnectionOptions(o);
  try {
    return await connect(opts);
  } catch (e) {
    throw new C2iError(ErrorCode.UNAVAILABLE, `${opts.name} cannot connect to NATS at ${o.servers}: ${(e as Error).message} (${hint})`, { cause: e });
  }
}

/**
 * Drains the connection (pending messages go out) when the server answers within `timeoutMs`, else closes it at
 * once: draining while NATS is away would wait for a reconnect that may never come, or reject.
 */
export async function closeNats(nc: NatsConnection, timeoutMs = 2_000): Promise<void> {
  if (nc.isClosed()) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      nc.drain(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`NATS drain took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch {
    if (!nc.isClosed()) await nc.close();
  } finally {
    clearTimeout(timer);
  }
}

/** Logs disconnects and reconnects: the one visible trace of a NATS blip. */
export function watchNatsStatus(nc: NatsConnection, log: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect") log.warn({ nats: s.type }, `NATS ${s.type}`);
    }
  })();
}
