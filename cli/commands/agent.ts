// `c2i agent`: serves AgentService on --listen, computes in a child process, heartbeats on NATS.
import { createLogger } from "../../common/log.ts";
import type { LocalAgentOptions } from "../../common/local-agent-protocol.ts";
import { ChildRunner } from "../../agent/server/child-runner.ts";
import { AgentServer } from "../../agent/server/server.ts";
import { AllowedRoots } from "../../agent/security/roots.ts";
import type { Command } from "../command.ts";
import { BACKEND_CHOICES, memoryBudget, oneOf, parseFlags, parseInteger, parseLayerCacheMib, requireString, SVD_CHOICES } from "../command.ts";
import { defaultAgentId, flagString, natsEnv, natsFlags, natsFrom, natsUsage, tlsEnv, tlsFlags, tlsFrom, tlsUsage, stopEnv, stopFlags, stopGraceMs, stopUsage } from "./cluster-flags.ts";
import { callGraceMs, StopSignals } from "../stop.ts";

const usage = `usage: c2i agent --roots DIR[,DIR] --nats URL [--listen HOST:PORT] [--metrics HOST:PORT]
  --roots DIR[,DIR]      the only directories models and datasets may come from   (env C2I_ROOTS)
  --listen HOST:PORT     AgentService address   (env C2I_LISTEN; default 127.0.0.1:7071; port 0 = any free)
  --advertise HOST:PORT  address the coordinator dials   (env C2I_ADVERTISE; default the bound address)
  --metrics HOST:PORT    serve Prometheus GET /metrics   (env C2I_METRICS)
  --token T              bearer token callers must send   (env C2I_AGENT_TOKEN)
  --id NAME              agent id   (env C2I_AGENT_ID; default <hostname>-<pid>)
  --capacity N           shards at once   (env C2I_CAPACITY; default 1)
  --backend B            auto|tensorflow-gpu|tensorflow|wasm|cpu   (env C2I_BACKEND; default auto)
  --svd S                auto|lapack|typescript   (env C2I_SVD; default auto)
  --layer-cache-mib N    per-job bound on the layer cache (hidden states reused by evaluations), MiB; 0 turns it off
                         (env C2I_LAYER_CACHE_MIB; default 512)
  --memory-gib N         memory this agent may plan for one model, GiB: host weights, backend weights, widening scratch,
                         a gradient pass's activations and the layer cache (capped to what the rest leaves); a model
                         whose plan does not fit is refused before loading, naming each part; idle models are freed
                         to make room (env C2I_MEMORY_GIB; default 80% of the machine's memory, or of its container's limit)
  --hf-cache DIR         hub downloads, under a root   (env C2I_HF_CACHE; default <first root>/.cache/hf)
  --heartbeat-ms MS      heartbeat interval   (env C2I_HEARTBEAT_MS; default 1000)
  --log-level LEVEL      pino level   (env C2I_LOG_LEVEL; default info)
${natsUsage}
${tlsUsage}
${stopUsage}`;

export const agentCommand: Command = {
  name: "agent",
  summary: "run a compute agent (AgentService over gRPC, heartbeats on NATS)",
  usage,
  async run(argv) {
    // Before anything starts: a signal that arrives while starting, or just after the ready line, still stops cleanly.
    const signals = new StopSignals();
    const { values: v } = parseFlags(
      argv,
      {
        roots: { type: "string" }, listen: { type: "string" }, advertise: { type: "string" }, metrics: { type: "string" },
        token: { type: "string" }, id: { type: "string" }, capacity: { type: "string" }, backend: { type: "string" },
        svd: { type: "string" }, "layer-cache-mib": { type: "string" }, "memory-gib": { type: "string" }, "hf-cache": { type: "string" }, "heartbeat-ms": { type: "string" },
        "log-level": { type: "string" }, ...natsFlags, ...tlsFlags, ...stopFlags,
      },
      {
        roots: "C2I_ROOTS", listen: "C2I_LISTEN", advertise: "C2I_ADVERTISE", metrics: "C2I_METRICS", token: "C2I_AGENT_TOKEN",
        id: "C2I_AGENT_ID", capacity: "C2I_CAPACITY", backend: "C2I_BACKEND", svd: "C2I_SVD", "layer-cache-mib": "C2I_LAYER_CACHE_MIB",
        "memory-gib": "C2I_MEMORY_GIB", "hf-cache": "C2I_HF_CACHE", "heartbeat-ms": "C2I_HEARTBEAT_MS", "log-level": "C2I_LOG_LEVEL", ...natsEnv, ...tlsEnv, ...stopEnv,
      },
    );
    const graceMs = stopGraceMs(v); // refused before anything starts, not at the first signal
    const level = flagString(v, "log-level") ?? "info";
    const id = flagString(v, "id") ?? defaultAgentId();
    const log = createLogger("agent", { level }).child({ agent: id });
    const roots = new AllowedRoots(requireString(v, "roots").split(",").map((s) => s.trim()).filter(Boolean), { hfCacheDir: flagString(v, "hf-cache") });
    const compute: LocalAgentOptions = { agentId: id, logLevel: level };
    const backend = oneOf(flagString(v, "backend"), "backend", BACKEND_CHOICES);
    const svd = oneOf(flagString(v, "svd"), "svd", SVD_CHOICES);
    if (backend) compute.backend = backend;
    if (svd) compute.svd = svd;
    const layerCacheBytes = parseLayerCacheMib(flagString(v, "layer-cache-mib"));
    if (layerCacheBytes !== undefined) compute.layerCacheBytes = layerCacheBytes;
    compute.memoryBudgetBytes = memoryBudget(flagString(v, "memory-gib")).bytes;
    const runner = new ChildRunner(compute, log);
    let server: AgentServer;
    try {
      server = await AgentServer.start({
        id, roots, runner, log,
        listen: flagString(v, "listen") ?? "127.0.0.1:7071",
        advertise: flagString(v, "advertise"),
        capacity: flagString(v, "capacity") ? parseInteger(flagString(v, "capacity")!, "capacity", 1) : 1,
        token: flagString(v, "token"),
        tls: tlsFrom(v),
        nats: natsFrom(v, requireString(v, "nats")),
        heartbeatMs: flagString(v, "heartbeat-ms") ? parseInteger(flagString(v, "heartbeat-ms")!, "heartbeat-ms", 10) : undefined,
        metrics: flagString(v, "metrics"),
        shutdownGraceMs: callGraceMs(graceMs),
      });
    } catch (e) {
      await runner.close();
      throw e;
    }
    process.stdout.write(JSON.stringify({ agent: id, listening: server.address, metrics: server.metricsServer?.address ?? null }) + "\n");
    return signals.serve({ name: "agent", log, close: () => server.close(), graceMs });
  },
};
