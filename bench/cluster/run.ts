// bench/cluster: (A) coordinator overhead — 64 simulated agents behind real gRPC on loopback, shard work
// a fixed sleep — shards/s and latency added per shard, side by side with calling the work directly;
// (B) real compute — the demo job's evaluate phase on 1 vs 2 agents (speed-up ratio).
// Run: npx tsx bench/cluster/run.ts [--agents 64] [--shards 3000] [--sleep-ms 50] [--skip-compute]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeDemo } from "../../agent/demo/write.ts";
import { AgentServer } from "../../agent/server/server.ts";
import { ChildRunner } from "../../agent/server/child-runner.ts";
import { AllowedRoots } from "../../agent/security/roots.ts";
import { silentLogger } from "../../common/log.ts";
import type { EvaluateShard } from "../../common/shards.ts";
import { NatsEventBus } from "../../coordinator/events/nats.ts";
import { CoordinatorClient } from "../../coordinator/grpc/client.ts";
import { CoordinatorNode } from "../../coordinator/grpc/node.ts";
import { RemoteAgentPool } from "../../coordinator/pool/remote.ts";
import { NatsServer } from "../../test/fixtures/nats.ts";
import { SleepRunner } from "../../test/fixtures/sleep-runner.ts";

const { values: args } = parseArgs({
  options: { agents: { type: "string" }, shards: { type: "string" }, "sleep-ms": { type: "string" }, "skip-compute": { type: "boolean" } },
});
const AGENTS = Number(args.agents ?? 64);
const SHARDS = Number(args.shards ?? 3000);
const SLEEP_MS = Number(args["sleep-ms"] ?? 50);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs `work` over SHARDS shards with AGENTS lanes; returns wall ms and per-shard latencies. */
async function drive(work: (s: EvaluateShard) => Promise<unknown>, shards: EvaluateShard[]): Promise<{ ms: number; lat: number[] }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: AGENTS }, async () => {
    while (next < shards.length) {
      const s = shards[next++]!;
      const t = performance.now();
      await work(s);
      lat.push(performance.now() - t);
    }
  }));
  return { ms: performance.now() - t0, lat: lat.sort((a, b) => a - b) };
}

/** The simulated agents live in their own process: the bench process is the coordinator only. */
async function hostAgents(nats: NatsServer): Promise<{ root: { model: string; dataset: string }; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), fileURLToPath(new URL("./sleep-agents-host.ts", import.meta.url)), nats.url, String(AGENTS), String(SLEEP_MS)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`agent host exited with ${code}`)));
  });
  const exited = new Promise((r) => child.once("exit", r));
  return { root: JSON.parse(line) as { model: string; dataset: string }, stop: async () => { child.kill("SIGTERM"); await exited; } };
}

async function overhead(nats: NatsServer): Promise<string[]> {
  const { root, stop } = await hostAgents(nats);
  const bus = await NatsEventBus.connect({ servers: nats.url });
  const pool = new RemoteAgentPool({ bus });
  try {
    await pool.waitForAgents(AGENTS, 60_000);
    const shards: EvaluateShard[] = Array.from({ length: SHARDS }, (_, i) => ({
      kind: "evaluate", shardId: `evaluate:${i}`, ref: { jobId: `bench-${i % 4}`, model: root.model, dataset: root.dataset },
      samples: { name: "adapt", indices: Array.from({ length: 100 }, (_, k) => k) }, candidates: [{ matrix: "m", blocks: 4, rate: 0.9 }],
    }));
    // Warm the 64 channels (first call per agent opens its HTTP/2 connection).
    await drive((s) => pool.run(s), shards.slice(0, AGENTS * 2));
    const direct = new SleepRunner({ sleepMs: SLEEP_MS });
    const base = await drive((s) => direct.run(s), shards);
    const cpu0 = process.cpuUsage();
    const viaPool = await drive((s) => pool.run(s), shards);
    const cpu = process.cpuUsage(cpu0);
    const cpuPerShardUs = (cpu.user + cpu.system) / SHARDS;
    const mean = (l: number[]) => l.reduce((a, b) => a + b, 0) / l.length;
    const rate = (r: { ms: number }) => (SHARDS / r.ms) * 1000;
    return [
      `## A. Coordinator overhead: ${AGENTS} simulated agents in a second process (real gRPC + NATS heartbeats on loopback), ${SHARDS} shards, work = ${SLEEP_MS} ms sleep`,
      "",
      "| path | shards/s | mean latency ms | p50 ms | p99 ms |",
      "| --- | ---: | ---: | ---: | ---: |",
      `| work called directly (no pool, no gRPC) | ${rate(base).toFixed(0)} | ${mean(base.lat).toFixed(2)} | ${quantile(base.lat, 0.5).toFixed(2)} | ${quantile(base.lat, 0.99).toFixed(2)} |`,
      `| RemoteAgentPool → gRPC → agent | ${rate(viaPool).toFixed(0)} | ${mean(viaPool.lat).toFixed(2)} | ${quantile(viaPool.lat, 0.5).toFixed(2)} | ${quantile(viaPool.lat, 0.99).toFixed(2)} |`,
      "",
      `- throughput ratio pool/direct: **${(rate(viaPool) / rate(base)).toFixed(3)}** (ideal ${AGENTS} agents × 1000/${SLEEP_MS} = ${(AGENTS * 1000 / SLEEP_MS).toFixed(0)} shards/s)`,
      `- coordinator-process CPU per shard (pool + gRPC client + heartbeat handling): **${cpuPerShardUs.toFixed(0)} µs** → one core could dispatch ~${(1e6 / cpuPerShardUs).toFixed(0)} shards/s`,
      `- latency added per shard by scheduling + gRPC: mean **${(mean(viaPool.lat) - mean(base.lat)).toFixed(2)} ms**, p50 ${(quantile(viaPool.lat, 0.5) - quantile(base.lat, 0.5)).toFixed(2)} ms, p99 ${(quantile(viaPool.lat, 0.99) - quantile(base.lat, 0.99)).toFixed(2)} ms`,
    ];
  } finally {
    await pool.close();
    await bus.close();
    await stop();
  }
}

async function evaluatePhase(nats: NatsServer, count: number, demo: { model: string; dataset: string }, root: string, run: number): Promise<{ evaluateMs: number; totalMs: number; candidates: number }> {
  const log = silentLogger();
  const servers: AgentServer[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bench-${run}-${i}`;
    servers.push(await AgentServer.start({
      id, listen: "127.0.0.1:0", roots: new AllowedRoots([root]), runner: new ChildRunner({ agentId: id, logLevel: "error" }, log),
      nats: { servers: nats.url }, heartbeatMs: 500, log,
    }));
  }
  const node = await CoordinatorNode.start({ listen: "127.0.0.1:0", nats: { servers: nats.url }, bucket: `bench_${run}`, log });
  const client = new CoordinatorClient(node.address);
  try {
    await node.pool.waitForAgents(count);
    const job = await client.submit({ model: demo.model, dataset: demo.dataset });
    for await (const _ of client.watch(job.id));
    const r = await client.get(job.id);
    if (r.state !== "succeeded") throw new Error(`bench job ${r.state}: ${r.error}`);
    const result = r.result as { phases: { name: string; ms: number }[]; totalMs: number; candidates: unknown[] };
    return { evaluateMs: result.phases.find((p) => p.name === "evaluate")!.ms, totalMs: result.totalMs, candidates: result.candidates.length };
  } finally {
    client.close();
    await node.close();
    for (const s of servers) await s.close();
  }
}

async function compute(nats: NatsServer): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), "c2i-bench-"));
  try {
    const demo = writeDemo(join(root, "demo"));
    // Alternate 1, 2, 2, 1 and keep each configuration's fastest run: the machine's load drifts.
    const runs: Record<number, Awaited<ReturnType<typeof evaluatePhase>>[]> = { 1: [], 2: [] };
    for (const [i, n] of [1, 2, 2, 1].entries()) runs[n]!.push(await evaluatePhase(nats, n, demo, root, i));
    const fastest = (n: number) => runs[n]!.reduce((a, b) => (b.evaluateMs < a.evaluateMs ? b : a));
    const one = fastest(1);
    const two = fastest(2);
    return [
      `## B. Real compute: demo job (default c2i settings, ${one.candidates} candidates), evaluate phase, 1 vs 2 agents (BLAS 1 thread each)`,
      "",
      `runs (evaluate s): 1 agent ${runs[1]!.map((r) => (r.evaluateMs / 1000).toFixed(2)).join(", ")}; 2 agents ${runs[2]!.map((r) => (r.evaluateMs / 1000).toFixed(2)).join(", ")} — fastest of each below`,
      "",
      "| agents | evaluate phase s | whole job s |",
      "| ---: | ---: | ---: |",
      `| 1 | ${(one.evaluateMs / 1000).toFixed(2)} | ${(one.totalMs / 1000).toFixed(2)} |`,
      `| 2 | ${(two.evaluateMs / 1000).toFixed(2)} | ${(two.totalMs / 1000).toFixed(2)} |`,
      "",
      `- evaluate-phase speed-up 2 agents / 1 agent: **${(one.evaluateMs / two.evaluateMs).toFixed(2)}×**`,
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const nats = await NatsServer.start();
try {
  const lines = [`# bench/cluster — ${new Date().toISOString()} — ${process.version}, ${(await import("node:os")).cpus().length} cores (load avg ${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ")})`, ""];
  lines.push(...(await overhead(nats)), "");
  if (!args["skip-compute"]) lines.push(...(await compute(nats)), "");
  process.stdout.write(lines.join("\n") + "\n");
} finally {
  await nats.stop();
}
