// `c2i coordinator`: serves CoordinatorService, schedules shards on heartbeating agents, keeps jobs in JetStream KV.
import { createLogger } from "../../common/log.ts";
import { CoordinatorNode } from "../../coordinator/grpc/node.ts";
import type { Command } from "../command.ts";
import { resultVersions } from "../versions.ts";
import { parseFlags, parseInteger, requireString } from "../command.ts";
import { flagString, natsEnv, natsFlags, natsFrom, natsUsage, tlsEnv, tlsFlags, tlsFrom, tlsUsage, stopEnv, stopFlags, stopGraceMs, stopUsage } from "./cluster-flags.ts";
import { callGraceMs, StopSignals } from "../stop.ts";

const usage = `usage: c2i coordinator --nats URL [--listen HOST:PORT] [--metrics HOST:PORT] [--token T]
  --listen HOST:PORT     CoordinatorService address   (env C2I_LISTEN; default 127.0.0.1:7070)
  --metrics HOST:PORT    serve Prometheus GET /metrics   (env C2I_METRICS)
  --token T              bearer token clients must send   (env C2I_TOKEN)
  --agent-token T        token sent to agents   (env C2I_AGENT_TOKEN; default --token)
  --bucket NAME          JetStream KV bucket for jobs   (env C2I_BUCKET; default c2i_jobs)
  --lost-after-ms MS     agent lost after this long without heartbeat   (env C2I_LOST_AFTER_MS; default 5000)
  --shard-deadline-ms MS deadline of one shard on an agent   (env C2I_SHARD_DEADLINE_MS; default 600000)
  --max-attempts N       attempts per shard across agents   (env C2I_MAX_ATTEMPTS; default 4)
  --log-level LEVEL      pino level   (env C2I_LOG_LEVEL; default info)
${natsUsage}
${tlsUsage}
${stopUsage}`;

export const coordinatorCommand: Command = {
  name: "coordinator",
  summary: "run the cluster coordinator (gRPC API, scheduling, JetStream job store)",
  usage,
  async run(argv) {
    // Before anything starts: a signal that arrives while starting, or just after the ready line, still stops cleanly.
    const signals = new StopSignals();
    const { values: v } = parseFlags(
      argv,
      {
        listen: { type: "string" }, metrics: { type: "string" }, token: { type: "string" }, "agent-token": { type: "string" },
        bucket: { type: "string" }, "lost-after-ms": { type: "string" }, "shard-deadline-ms": { type: "string" },
        "max-attempts": { type: "string" }, "log-level": { type: "string" }, ...natsFlags, ...tlsFlags, ...stopFlags,
      },
      {
        listen: "C2I_LISTEN", metrics: "C2I_METRICS", token: "C2I_TOKEN", "agent-token": "C2I_AGENT_TOKEN", bucket: "C2I_BUCKET",
        "lost-after-ms": "C2I_LOST_AFTER_MS", "shard-deadline-ms": "C2I_SHARD_DEADLINE_MS", "max-attempts": "C2I_MAX_ATTEMPTS",
        "log-level": "C2I_LOG_LEVEL", ...natsEnv, ...tlsEnv, ...stopEnv,
      },
    );
    const graceMs = stopGraceMs(v); // refused before anything starts, not at the first signal
    const log = createLogger("coordinator", { level: flagString(v, "log-level") ?? "info" });
    const num = (flag: string, min: number) => (flagString(v, flag) ? parseInteger(flagString(v, flag)!, flag, min) : undefined);
    const node = await CoordinatorNode.start({
      listen: flagString(v, "listen") ?? "127.0.0.1:7070",
      shutdownGraceMs: callGraceMs(graceMs),
      nats: natsFrom(v, requireString(v, "nats")),
      token: flagString(v, "token"),
      agentToken: flagString(v, "agent-token"),
      tls: tlsFrom(v),
      metrics: flagString(v, "metrics"),
      bucket: flagString(v, "bucket"),
      lostAfterMs: num("lost-after-ms", 100),
      shardDeadlineMs: num("shard-deadline-ms", 1),
      maxAttempts: num("max-attempts", 1),
      versions: resultVersions(),
      log,
    });
    // One machine-readable line on stdout so scripts (and tests) learn the bound addresses.
    process.stdout.write(JSON.stringify({ listening: node.address, metrics: node.metricsServer?.address ?? null, resumed: node.resumed }) + "\n");
    return signals.serve({ name: "coordinator", log, close: () => node.close(), graceMs });
  },
};
