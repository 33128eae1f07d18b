// What a small seeded campaign over one surface must come to in the test suite: every input rejected with a documented
// code or accepted, no bug of any kind, and at least one refusal (a campaign that refuses nothing fuzzes nothing).
import { expect } from "vitest";
import type { SurfaceCounts } from "./campaign.ts";
import type { Surface } from "./surface.ts";

/** Seed of the suite's campaigns: not the bench's (17), so that the suite and the bench cover different inputs. */
export const SUITE_SEED = 1717;

export function expectClean(counts: SurfaceCounts, surface: Surface<never>, inputs: number): void {
  const bugs = counts.bugs.map((b) => `input ${b.index} (${b.bug}): ${b.what} → ${b.reason}`).join("\n");
  expect(bugs, `seed ${SUITE_SEED}, surface ${surface.name}`).toBe("");
  expect(counts.inputs).toBe(inputs);
  for (const code of Object.keys(counts.rejected)) expect(surface.codes).toContain(code);
  const rejected = Object.values(counts.rejected).reduce((a, b) => a + b, 0);
  expect(counts.accepted + rejected).toBe(inputs);
  expect(rejected).toBeGreaterThan(0);
}
