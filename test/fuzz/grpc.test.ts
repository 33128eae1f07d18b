// A small seeded campaign against real AgentService and CoordinatorService servers on 127.0.0.1: every request, raw bytes
// included, is answered with a documented code under the gRPC status proto/status.ts maps it to, before its deadline; the
// servers stay healthy, a refused SubmitJob stores nothing, and the agent's compute process ends with the server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCampaign } from "./campaign.ts";
import { expectClean, SUITE_SEED } from "./fuzz-expect.ts";
import type { Surface } from "./surface.ts";
import { agentGrpcSurface } from "./surfaces/grpc-agent.ts";
import { coordinatorGrpcSurface } from "./surfaces/grpc-coordinator.ts";

const scratch = mkdtempSync(join(tmpdir(), "c2i-fuzz-grpc-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("fuzzed gRPC requests end in the documented status", () => {
  it.each([
    ["grpc-coordinator", coordinatorGrpcSurface as Surface<never>],
    ["grpc-agent", agentGrpcSurface as Surface<never>],
  ] as const)("%s", async (_name, surface) => {
    const inputs = 40;
    const seen: string[] = [];
    const counting: Surface<never> = {
      ...surface,
      async setup(dir) {
        const s = await surface.setup(dir);
        seen.push((s as { address: string }).address);
        return s;
      },
    };
    const counts = await runCampaign(counting, scratch, { seed: SUITE_SEED, inputs, timeoutMs: 15_000 });
    expect(seen[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expectClean(counts, surface, inputs);
  });
});
