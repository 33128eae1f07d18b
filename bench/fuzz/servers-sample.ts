// The gRPC surfaces' inputs sent to real `c2i coordinator` and `c2i agent` processes on one nats-server: both answer every input
// with a documented code, stay healthy, and stop on SIGTERM with exit 0 and no process left (the agent's compute child included).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addRecord, emptyCounts, runInput, type SurfaceCounts } from "../../test/fuzz/campaign.ts";
import { healthy, authMetadata } from "../../test/fuzz/raw-grpc.ts";
import { agentGrpcSurface, writeAgentWorld, type AgentSetup } from "../../test/fuzz/surfaces/grpc-agent.ts";
import { coordinatorGrpcSurface, remoteCoordinator } from "../../test/fuzz/surfaces/grpc-coordinator.ts";
import { RawClient } from "../../test/fuzz/raw-grpc.ts";
import { NatsServer } from "../../test/fixtures/nats.ts";
import { alive, startC2i, type C2iProcess } from "../../test/fixtures/processes.ts";

export interface ServersSample {
  counts: SurfaceCounts[];
  /** Exit codes after one SIGTERM each. */
  exits: { coordinator: number | null; agent: number | null };
  problems: string[];
}

function exitOf(p: C2iProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) resolve(p.child.exitCode);
    else p.child.once("exit", (code) => resolve(code));
  });
}

/** `inputs` inputs of each gRPC surface (indices from `start`), against processes started here and stopped at the end. */
export async function serversSample(seed: number, start: number, inputs: number, timeoutMs: number): Promise<ServersSample> {
  const scratch = mkdtempSync(join(tmpdir(), "c2i-fuzz-servers-"));
  const nats = await NatsServer.start();
  const problems: string[] = [];
  const counts: SurfaceCounts[] = [];
  let coordinator: C2iProcess | undefined;
  let agent: C2iProcess | undefined;
  const exits: ServersSample["exits"] = { coordinator: null, agent: null };
  try {
    const world = writeAgentWorld(scratch);
    const agentToken = "fuzz-process-agent-token";
    const token = "fuzz-process-coordinator-token";
    agent = await startC2i(["agent", "--nats", nats.url, "--roots", world.root, "--listen", "127.0.0.1:0", "--token", agentToken, "--svd", "typescript", "--log-level", "warn"]);
    coordinator = await startC2i(["coordinator", "--nats", nats.url, "--listen", "127.0.0.1:0", "--token", token, "--agent-token", agentToken, "--log-level", "warn"]);
    const agentAddress = String(agent.ready.listening);
    const agentSetup: AgentSetup = { ...world, address: agentAddress, client: new RawClient(agentAddress), token: agentToken };
    const info = agentSetup.codec.Info!.decodeResponse(await agentSetup.client.unary("/c2i.v1.AgentService/Info", Buffer.alloc(0), authMetadata("good", agentToken), 30_000)) as { device: string };
    const computePid = Number(/pid (\d+)/.exec(info.device)?.[1]);
    const coordinatorSetup = remoteCoordinator(String(coordinator.ready.listening), token);
    for (const [surface, setup] of [[agentGrpcSurface, agentSetup], [coordinatorGrpcSurface, coordinatorSetup]] as const) {
      const c = emptyCounts(surface as never);
      for (let i = start; i < start + inputs; i++) addRecord(c, await runInput(surface as never, setup, seed, i, scratch, timeoutMs));
      counts.push(c);
      setup.client.close();
    }
    for (const [name, address] of [["agent", agentAddress], ["coordinator", coordinatorSetup.address]]) {
      if (!(await healthy(address!))) problems.push(`${name} process does not answer health after the sample`);
    }
    coordinator.child.kill("SIGTERM");
    agent.child.kill("SIGTERM");
    [exits.coordinator, exits.agent] = await Promise.all([exitOf(coordinator), exitOf(agent)]);
    if (exits.coordinator !== 0 || exits.agent !== 0) problems.push(`SIGTERM exits: coordinator ${exits.coordinator}, agent ${exits.agent} (expected 0)`);
    if (Number.isFinite(computePid) && alive(computePid)) problems.push(`the agent's compute process ${computePid} outlived it`);
  } finally {
    await coordinator?.kill9();
    await agent?.kill9();
    await nats.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  return { counts, exits, problems };
}
