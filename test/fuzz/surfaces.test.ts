// A small seeded campaign over every file surface (checkpoints, llama2.c, tokenizers, datasets, recipes, job specs):
// each input ends in a documented code or is valid, writes nothing it should not, and answers within the limit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { runCampaign } from "./campaign.ts";
import { expectClean, SUITE_SEED } from "./fuzz-expect.ts";
import { surfaces } from "./surfaces/index.ts";

const scratch = mkdtempSync(join(tmpdir(), "c2i-fuzz-surfaces-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("fuzzed files end in a documented code, with nothing written", () => {
  const files = surfaces.filter((s) => !s.name.startsWith("grpc-"));
  it.each(files.map((s) => [s.name, s] as const))("%s", async (_name, surface) => {
    const inputs = surface.name.startsWith("dataset-") ? 25 : 40;
    const counts = await runCampaign(surface, scratch, { seed: SUITE_SEED, inputs, timeoutMs: 10_000 });
    expectClean(counts, surface as never, inputs);
  });
});
