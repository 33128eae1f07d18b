// The layer cache on the agent's /metrics: gauges and batch counters, fed from the compute process's totals.
import * as grpc from "@grpc/grpc-js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemo } from "../../agent/demo/write.ts";
import { agentMetricNames as n } from "../../agent/metrics/names.ts";
import { createAgentMetrics } from "../../agent/metrics/registry.ts";
import type { EvaluateShard, PrepareShard } from "../../common/shards.ts";
import { bearerMetadata } from "../../proto/auth.ts";
import { evaluateShardToWire, prepareShardToWire } from "../../proto/convert.ts";
import type { AgentServiceClient } from "../../proto/gen/c2i/v1/AgentService.ts";
import { channelOptions, loadAgentProto } from "../../proto/load.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { metricSum, startC2i, type C2iProcess } from "../fixtures/processes.ts";

describe("layer cache metrics (registry)", () => {
  it("start at zero: both batch series exist before any evaluation, so rate() sees the first one", async () => {
    const text = await createAgentMetrics().registry.metrics();
    expect(text).toContain(`${n.layerCacheBatchesTotal}{from="cached"} 0`);
    expect(text).toContain(`${n.layerCacheBatchesTotal}{from="full"} 0`);
    expect(text).toContain(`${n.layerCacheBytes} 0`);
    expect(text).toContain(`${n.layerCacheSets} 0`);
  });

  it("set the gauges and advance the counters by the growth of the totals, counting again from 0 after a compute restart", async () => {
    const m = createAgentMetrics();
    const batches = async () => {
      const v = (await m.registry.getSingleMetricAsString(n.layerCacheBatchesTotal)).split("\n");
      const of = (from: string) => Number(v.find((l) => l.startsWith(`${n.layerCacheBatchesTotal}{from="${from}"}`))!.split(" ")[1]);
      return { cached: of("cached"), full: of("full") };
    };
    m.observeLayerCache({ bytes: 1000, sets: 1, partial: 10, full: 4 });
    m.observeLayerCache({ bytes: 3000, sets: 2, partial: 25, full: 4 });
    expect(await batches()).toEqual({ cached: 25, full: 4 });
    expect(await m.registry.getSingleMetricAsString(n.layerCacheBytes)).toContain(`${n.layerCacheBytes} 3000`);
    expect(await m.registry.getSingleMetricAsString(n.layerCacheSets)).toContain(`${n.layerCacheSets} 2`);
    // The compute process restarted: its totals start over; the counters keep growing.
    m.observeLayerCache({ bytes: 0, sets: 0, partial: 3, full: 1 });
    expect(await batches()).toEqual({ cached: 28, full: 5 });
    m.observeLayerCache({ bytes: 0, sets: 0, partial: 3, full: 1 });
    expect(await batches()).toEqual({ cached: 28, full: 5 });
  });
});

const TOKEN = "layer-cache-token";

describe.skipIf(!NATS_SERVER_BIN)("layer cache metrics on a real `c2i agent --layer-cache-mib`", () => {
  const root = mkdtempSync(join(tmpdir(), "c2i-layer-metrics-"));
  let nats: NatsServer | undefined;
  let agent: C2iProcess | undefined;
  let client: AgentServiceClient | undefined;
  let demo: { model: string; dataset: string };

  beforeAll(async () => {
    demo = ensureDemo(join(root, "cache"));
    nats = await NatsServer.start();
    agent = await startC2i(["agent", "--nats", nats.url, "--roots", root, "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0",
      "--id", "layer-agent", "--token", TOKEN, "--layer-cache-mib", "4"]);
    client = new (loadAgentProto().c2i.v1.AgentService)(String(agent.ready.listening), grpc.credentials.createInsecure(), channelOptions());
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    await nats?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const call = (method: "Prepare" | "Evaluate", message: unknown) =>
    new Promise<unknown>((resolve, reject) =>
      (client as unknown as Record<string, (m: unknown, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: unknown) => void) => void>)[method]!(
        message, bearerMetadata(TOKEN), { deadline: new Date(Date.now() + 60_000) }, (e, r) => (e ? reject(e) : resolve(r))));

  it("moves after an evaluation: bytes and sets held, batches run from a cached layer", async () => {
    const metrics = String(agent!.ready.metrics);
    expect(await metricSum(metrics, n.layerCacheBatchesTotal)).toBe(0);
    expect(await metricSum(metrics, n.layerCacheBytes)).toBe(0);
    const ref = { jobId: "layer-metrics", model: demo.model, dataset: demo.dataset };
    const prepare: PrepareShard = { kind: "prepare", shardId: "prepare:0", ref };
    await call("Prepare", prepareShardToWire(prepare));
    // Two edits of layer 1 (enough to warm the cache): each starts from the cached state entering layer 1.
    const evaluate: EvaluateShard = {
      kind: "evaluate", shardId: "evaluate:0", ref, samples: { name: "adapt", indices: Array.from({ length: 40 }, (_, i) => i) },
      candidates: [0.2, 0.9].map((rate) => ({ matrix: "model.layers.1.mlp.down_proj.weight", blocks: 1, rate })),
    };
    await call("Evaluate", evaluateShardToWire(evaluate));
    // A scrape refreshes the agent's view of its compute process first.
    expect(await metricSum(metrics, n.layerCacheBatchesTotal, 'from="cached"')).toBeGreaterThan(0);
    expect(await metricSum(metrics, n.layerCacheBatchesTotal, 'from="full"')).toBe(0);
    expect(await metricSum(metrics, n.layerCacheBytes)).toBeGreaterThan(0);
    expect(await metricSum(metrics, n.layerCacheBytes)).toBeLessThanOrEqual(4 * 2 ** 20);
    expect(await metricSum(metrics, n.layerCacheSets)).toBe(1);
  }, 60_000);
});
