// Flags shared by the cluster commands (coordinator, agent, submit, watch, jobs, agents, cancel), each with its env var.
import { hostname } from "node:os";
import type { TlsFiles } from "../../proto/auth.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import type { NatsOptions } from "../../common/nats.ts";
import { parseInteger } from "../command.ts";

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

const str = (v: Values, k: string): string | undefined => (typeof v[k] === "string" && v[k] !== "" ? (v[k] as string) : undefined);

export const tlsFlags = {
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-ca": { type: "string" },
} as const;
export const tlsEnv = { "tls-cert": "C2I_TLS_CERT", "tls-key": "C2I_TLS_KEY", "tls-ca": "C2I_TLS_CA" } as const;
export const tlsUsage = `  --tls-cert, --tls-key  PEM certificate and key: serve TLS (servers) or present a client cert (clients)   (env C2I_TLS_CERT, C2I_TLS_KEY)
  --tls-ca               PEM CA: clients verify the server; servers then require client certificates (mTLS)   (env C2I_TLS_CA)`;

export function tlsFrom(v: Values): TlsFiles | undefined {
  const tls: TlsFiles = { certFile: str(v, "tls-cert"), keyFile: str(v, "tls-key"), caFile: str(v, "tls-ca") };
  return tls.certFile || tls.keyFile || tls.caFile ? tls : undefined;
}

export const natsFlags = {
  nats: { type: "string" },
  "nats-creds": { type: "string" },
  "nats-user": { type: "string" },
  "nats-pass": { type: "string" },
  "nats-token": { type: "string" },
  "nats-ca": { type: "string" },
  "nats-cert": { type: "string" },
  "nats-key": { type: "string" },
} as const;
export const natsEnv = {
  nats: "C2I_NATS", "nats-creds": "C2I_NATS_CREDS", "nats-user": "C2I_NATS_USER", "nats-pass": "C2I_NATS_PASS",
  "nats-token": "C2I_NATS_TOKEN", "nats-ca": "C2I_NATS_CA", "nats-cert": "C2I_NATS_CERT", "nats-key": "C2I_NATS_KEY",
} as const;
export const natsUsage = `  --nats URL[,URL]       NATS server(s) with JetStream   (env C2I_NATS)
  --nats-creds FILE      NATS credentials file   (env C2I_NATS_CREDS)
  --nats-user/--nats-pass, --nats-token   NATS user/password or token   (env C2I_NATS_USER, C2I_NATS_PASS, C2I_NATS_TOKEN)
  --nats-ca/--nats-cert/--nats-key        NATS TLS files   (env C2I_NATS_CA, C2I_NATS_CERT, C2I_NATS_KEY)`;

export function natsFrom(v: Values, servers: string): NatsOptions {
  const o: NatsOptions = { servers };
  if (str(v, "nats-creds")) o.credsFile = str(v, "nats-creds");
  if (str(v, "nats-user")) {
    o.user = str(v, "nats-user");
    o.pass = str(v, "nats-pass");
  }
  if (str(v, "nats-token")) o.token = str(v, "nats-token");
  if (str(v, "nats-ca") || str(v, "nats-cert")) o.tls = { caFile: str(v, "nats-ca"), certFile: str(v, "nats-cert"), keyFile: str(v, "nats-key") };
  return o;
}

export const clientFlags = {
  coordinator: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  ...tlsFlags,
} as const;
export const clientEnv = { coordinator: "C2I_COORDINATOR", token: "C2I_TOKEN", ...tlsEnv } as const;
export const clientUsage = `  --coordinator HOST:PORT  the coordinator's gRPC address   (env C2I_COORDINATOR; default 127.0.0.1:7070)
  --token T                bearer token   (env C2I_TOKEN)
${tlsUsage}
  --json                   print JSON`;

export function clientFrom(v: Values): CoordinatorClient {
  return new CoordinatorClient(str(v, "coordinator") ?? "127.0.0.1:7070", { token: str(v, "token"), tls: tlsFrom(v) });
}

export function defaultAgentId(): string {
  return `${hostname()}-${process.pid}`;
}

/** How long a server's shutdown may take after SIGTERM/SIGINT before the process ends anyway (cli/stop.ts). */
export const stopFlags = { "stop-grace-ms": { type: "string" } } as const;
export const stopEnv = { "stop-grace-ms": "C2I_STOP_GRACE_MS" } as const;
export const stopUsage = `  --stop-grace-ms MS     after SIGTERM/SIGINT, how long the shutdown may take before the process ends anyway
                         (exit 0 clean, 1 a part failed, 143/130 out of time or a second signal)   (env C2I_STOP_GRACE_MS; default 10000)`;

export function stopGraceMs(v: Values): number | undefined {
  const ms = str(v, "stop-grace-ms");
  return ms === undefined ? undefined : parseInteger(ms, "stop-grace-ms", 0);
}

export { str as flagString };
