// Serves a prom-client Registry at GET /metrics over node:http on HOST:PORT; the caller closes it.
// Shared by the coordinator and the agents (each passes its own Registry).
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import { C2iError, ErrorCode } from "./errors.ts";

export interface MetricsServer {
  /** The bound address, e.g. "127.0.0.1:9464" (useful with port 0). */
  address: string;
  close(): Promise<void>;
}

export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const i = text.lastIndexOf(":");
  const host = i > 0 ? text.slice(0, i).replace(/^\[|\]$/g, "") : "";
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--${flag} expects HOST:PORT (e.g. 127.0.0.1:9464), got "${text}"`);
  }
  return { host, port };
}

export async function serveMetrics(registry: Registry, listen: string, beforeScrape?: () => Promise<void>): Promise<MetricsServer> {
  const { host, port } = parseHostPort(listen, "metrics");
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404).end("only GET /metrics here\n");
      return;
    }
    void (async () => {
      try {
        await beforeScrape?.();
        const body = await registry.metrics();
        res.writeHead(200, { "content-type": registry.contentType }).end(body);
      } catch (e) {
        res.writeHead(500).end(`metrics failed: ${(e as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => reject(new C2iError(ErrorCode.INVALID_ARGUMENT, `cannot serve metrics on ${listen}: ${e.message}`)));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const address = typeof bound === "object" && bound ? `${host}:${bound.port}` : listen;
  return {
    address,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
