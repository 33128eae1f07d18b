// A real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port with a temp TSDB, for the
// dashboard integration test: start with a config, query its HTTP API, stop and remove its data.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort } from "../fixtures/ports.ts";

export const PROMETHEUS_BIN = ["/usr/bin/prometheus", "/usr/local/bin/prometheus"].find((p) => existsSync(p));

export interface PromResult {
  status: "success" | "error";
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] };
}

export class PrometheusServer {
  private logs = "";
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly dir: string,
  ) {
    child.stderr!.on("data", (c: Buffer) => {
      this.logs = (this.logs + c.toString()).slice(-50_000);
    });
  }

  /** Starts Prometheus with `config` (an object, written as YAML) and waits until /-/ready answers. */
  static async start(config: object, readyTimeoutMs = 30_000): Promise<PrometheusServer> {
    if (!PROMETHEUS_BIN) throw new Error("prometheus is not installed (apt-get install prometheus)");
    const dir = mkdtempSync(join(tmpdir(), "c2i-prom-"));
    writeFileSync(join(dir, "prometheus.yml"), stringify(config));
    const port = await freePort();
    const child = spawn(PROMETHEUS_BIN, [
      `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn",
    ], { stdio: ["ignore", "ignore", "pipe"] });
    const server = new PrometheusServer(child, `http://127.0.0.1:${port}`, dir);
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${server.logs}`);
      try {
        if ((await fetch(`${server.url}/-/ready`)).ok) return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`prometheus not ready after ${readyTimeoutMs} ms:\n${server.logs}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** GET /api/v1/<path>?<params>; Prometheus answers JSON with status success|error. */
  async api(path: string, params: Record<string, string>): Promise<PromResult> {
    const res = await fetch(`${this.url}/api/v1/${path}?${new URLSearchParams(params)}`);
    return (await res.json()) as PromResult;
  }

  query(expr: string, time = Date.now() / 1000): Promise<PromResult> {
    return this.api("query", { query: expr, time: time.toFixed(3) });
  }

  queryRange(expr: string, start: number, end: number, stepSeconds = 1): Promise<PromResult> {
    return this.api("query_range", { query: expr, start: start.toFixed(3), end: end.toFixed(3), step: String(stepSeconds) });
  }

  stderr(): string {
    return this.logs;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once("exit", () => resolve());
        this.child.kill("SIGTERM");
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
