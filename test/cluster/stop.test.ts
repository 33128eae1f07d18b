// Servers stop on the first SIGTERM/SIGINT within a bounded time whatever NATS is doing, with one line and a
// documented exit code (cli/stop.ts): real `c2i coordinator` and `c2i agent` processes and a real nats-server.
import { once } from "node:events";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { startC2i, type C2iProcess } from "../fixtures/processes.ts";

/** Sends `signal` and resolves with the exit code and how long the process took to end. */
async function signalAndWait(p: C2iProcess, signal: NodeJS.Signals): Promise<{ code: number | string | null; ms: number }> {
  const exited = once(p.child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const t0 = performance.now();
  p.child.kill(signal);
  const [code, by] = await exited;
  return { code: code ?? by, ms: performance.now() - t0 };
}

const lastLine = (p: C2iProcess) => p.logs().trim().split("\n").filter((l) => !l.startsWith("{")).at(-1);

describe.skipIf(!NATS_SERVER_BIN)("stopping the servers", () => {
  let root: string;
  let nats: NatsServer;
  const running: C2iProcess[] = [];

  const start = async (args: string[]) => {
    const p = await startC2i([...args, "--nats", nats.url, "--listen", "127.0.0.1:0"], { C2I_LOG_LEVEL: "info" });
    running.push(p);
    return p;
  };
  const coordinator = (extra: string[] = []) => start(["coordinator", ...extra]);
  const agent = (extra: string[] = []) => start(["agent", "--roots", root, "--heartbeat-ms", "200", ...extra]);

  beforeAll(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), "c2i-stop-")));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill9()));
    await nats?.stop();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("stops on the first SIGTERM while NATS is away: one line, exit 0, within the grace period", async () => {
    nats = await NatsServer.start();
    const [c, a] = [await coordinator(), await agent()];
    await nats.stop();
    // Both have seen NATS go (what the user saw before: each kept running after "… stopping").
    for (const p of [c, a]) await expect.poll(() => p.logs().includes("NATS disconnect"), { timeout: 15_000 }).toBe(true);
    const [cs, as] = await Promise.all([signalAndWait(c, "SIGTERM"), signalAndWait(a, "SIGTERM")]);
    expect(cs.code).toBe(0);
    expect(as.code).toBe(0);
    expect(Math.max(cs.ms, as.ms)).toBeLessThan(10_000);
    expect(lastLine(c)).toBe("c2i coordinator: stopped by SIGTERM (exit 0)");
    expect(lastLine(a)).toBe("c2i agent: stopped by SIGTERM (exit 0)");
    expect(a.logs()).not.toContain("RequestError");
  });

  it("stops cleanly on SIGINT with NATS up", async () => {
    nats = await NatsServer.start();
    const a = await agent();
    const { code } = await signalAndWait(a, "SIGINT");
    expect(code).toBe(0);
    expect(lastLine(a)).toBe("c2i agent: stopped by SIGINT (exit 0)");
  });

  it("ends anyway when the shutdown outlasts --stop-grace-ms, with 143", async () => {
    nats = await NatsServer.start();
    const c = await coordinator(["--stop-grace-ms", "0"]);
    const { code, ms } = await signalAndWait(c, "SIGTERM");
    expect(code, c.logs()).toBe(143);
    expect(ms).toBeLessThan(5_000);
    expect(lastLine(c)).toBe("c2i coordinator: stopped by SIGTERM; shutdown still running after 0 ms: stopped anyway (exit 143)");
  });
});
