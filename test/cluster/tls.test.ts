// TLS on the AgentService: a pool that trusts the CA runs shards; a plaintext pool cannot.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/log.ts";
import { AgentServer } from "../../agent/server/server.ts";
import { AllowedRoots } from "../../agent/security/roots.ts";
import { NatsEventBus } from "../../coordinator/events/nats.ts";
import { RemoteAgentPool } from "../../coordinator/pool/remote.ts";
import { NATS_SERVER_BIN, NatsServer } from "../fixtures/nats.ts";
import { makeRoot } from "../fixtures/sleep-agents.ts";
import { SleepRunner, expectedResult } from "../fixtures/sleep-runner.ts";
import { OPENSSL, makePki, type TestPki } from "../fixtures/tls.ts";
import type { EvaluateShard } from "../../common/shards.ts";

describe.skipIf(!NATS_SERVER_BIN || !OPENSSL)("AgentService over TLS", () => {
  let nats: NatsServer;
  let pki: TestPki;
  let root: ReturnType<typeof makeRoot>;
  let agent: AgentServer;
  beforeAll(async () => {
    nats = await NatsServer.start();
    pki = makePki();
    root = makeRoot();
    agent = await AgentServer.start({
      id: "tls-agent", listen: "127.0.0.1:0", roots: new AllowedRoots([root.dir]), runner: new SleepRunner({ sleepMs: 5 }),
      tls: { certFile: pki.certFile, keyFile: pki.keyFile }, nats: { servers: nats.url }, heartbeatMs: 100, log: silentLogger(),
    });
  });
  afterAll(async () => {
    await agent?.close();
    await nats?.stop();
    pki?.remove();
    root?.remove();
  });

  const shard = (): EvaluateShard => ({
    kind: "evaluate", shardId: "evaluate:0", ref: { jobId: "tls", model: root.model, dataset: root.dataset },
    samples: { name: "adapt", indices: [1, 2] }, candidates: [null],
  });

  it("runs a shard for a pool that trusts the agent's CA, and refuses a plaintext one", async () => {
    const bus = await NatsEventBus.connect({ servers: nats.url });
    const trusted = new RemoteAgentPool({ bus, tls: { caFile: pki.caFile } });
    const plain = new RemoteAgentPool({ bus, maxAttempts: 1 });
    try {
      await trusted.waitForAgents(1);
      await plain.waitForAgents(1);
      expect(await trusted.run(shard())).toEqual(expectedResult(shard()));
      await expect(plain.run(shard())).rejects.toMatchObject({ code: "AGENT_LOST" });
    } finally {
      await trusted.close();
      await plain.close();
      await bus.close();
    }
  });
});
