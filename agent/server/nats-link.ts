// The agent's NATS connection (heartbeats only): reconnects forever; creds, token, user or TLS.
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";

export interface AgentNatsOptions {
  /** Server URL(s), comma-separated. */
  servers: string;
  /** NATS .creds file. @default none */
  credsFile?: string;
  /** @default none */
  token?: string;
  /** @default none */
  user?: string;
  pass?: string;
  /** @default plain TCP */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Wait between reconnect attempts, ms. @default 250 */
  reconnectTimeWaitMs?: number;
}

export async function connectAgentNats(o: AgentNatsOptions, name: string, log: Logger): Promise<NatsConnection> {
  const opts: ConnectionOptions = {
    servers: o.servers.split(",").map((s) => s.trim()).filter(Boolean),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: o.reconnectTimeWaitMs ?? 250,
  };
  if (o.credsFile) opts.authenticator = credsAuthenticator(readFileSync(o.credsFile));
  if (o.token) opts.token = o.token;
  if (o.user) {
    opts.user = o.user;
    opts.pass = o.pass;
  }
  if (o.tls) opts.tls = { ...o.tls };
  let nc: NatsConnection;
  try {
    nc = await connect(opts);
  } catch (e) {
    throw new C2iError(ErrorCode.UNAVAILABLE, `agent cannot connect to NATS at ${o.servers}: ${(e as Error).message} (check --nats)`, { cause: e });
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect" || s.type === "reconnect") log.warn({ nats: s.type }, `NATS ${s.type}`);
    }
  })();
  return nc;
}
