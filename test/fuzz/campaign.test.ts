// The campaign's own rules: how it classifies what an input came to, that inputs are reproducible, and that every surface
// declares exactly the codes the README documents for it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { runCampaign, runInput } from "./campaign.ts";
import { Rng } from "./rng.ts";
import { NoAnswerError, TeardownError, type FuzzInput, type Surface } from "./surface.ts";
import { surfaces } from "./surfaces/index.ts";

const scratch = mkdtempSync(join(tmpdir(), "c2i-fuzz-campaign-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A surface whose feed does whatever the test says, on a one-file input. */
function fake(feed: (input: FuzzInput, dir: string) => Promise<string[] | void>, teardown?: () => Promise<void>): Surface<null> {
  return {
    name: "fake",
    title: "fake",
    codes: [ErrorCode.DATASET_INVALID],
    setup: async () => null,
    generate: (rng) => ({ files: { "in.txt": rng.bytes(8) }, what: "eight random bytes" }),
    feed: (input, _s, { dir }) => feed(input, dir),
    teardown,
  };
}

async function outcomeOf(surface: Surface<null>, timeoutMs = 2_000) {
  return (await runInput(surface, null, 1, 0, scratch, timeoutMs)).outcome;
}

describe("the campaign's classification", () => {
  it("counts a documented C2iError as rejected with its code", async () => {
    expect(await outcomeOf(fake(async () => { throw new C2iError(ErrorCode.DATASET_INVALID, "bad row"); }))).toEqual({ kind: "rejected", code: "DATASET_INVALID" });
  });

  it("counts a code the surface does not document as a wrong-code bug", async () => {
    expect(await outcomeOf(fake(async () => { throw new C2iError(ErrorCode.NUMERIC, "no convergence"); }))).toMatchObject({ kind: "bug", bug: "wrong-code" });
  });

  it("counts any other exception as a crash", async () => {
    expect(await outcomeOf(fake(async () => { throw new TypeError("cannot read properties of undefined"); }))).toMatchObject({ kind: "bug", bug: "crash" });
  });

  it("counts no answer within the limit, and a gRPC deadline, as hangs", async () => {
    expect(await outcomeOf(fake(() => new Promise(() => {})), 100)).toMatchObject({ kind: "bug", bug: "hang" });
    expect(await outcomeOf(fake(async () => { throw new NoAnswerError("deadline"); }))).toMatchObject({ kind: "bug", bug: "hang" });
  });

  it("counts a synchronous entry point slower than the limit as a hang", async () => {
    const busy = fake(async () => {
      const until = performance.now() + 150;
      while (performance.now() < until);
    });
    expect(await outcomeOf(busy, 50)).toMatchObject({ kind: "bug", bug: "hang" });
  });

  it("counts a file written on refusal, or not declared on acceptance, as a bug", async () => {
    const refuses = fake(async (_i, dir) => {
      writeFileSync(join(dir, "partial.bin"), "x");
      throw new C2iError(ErrorCode.DATASET_INVALID, "bad row");
    });
    expect(await outcomeOf(refuses)).toMatchObject({ kind: "bug", bug: "wrote" });
    const undeclared = fake(async (_i, dir) => writeFileSync(join(dir, "stray.txt"), "x"));
    expect(await outcomeOf(undeclared)).toMatchObject({ kind: "bug", bug: "wrote" });
    const declared = fake(async (_i, dir) => {
      writeFileSync(join(dir, "out.txt"), "x");
      return ["out.txt"];
    });
    expect(await outcomeOf(declared)).toEqual({ kind: "accepted" });
  });

  it("counts a teardown's problem as a bug of its kind", async () => {
    const leaky = fake(async () => {}, async () => { throw new TeardownError("leak", "compute process 1234 still alive"); });
    const counts = await runCampaign(leaky, scratch, { seed: 1, inputs: 2 });
    expect(counts).toMatchObject({ inputs: 2, accepted: 2 });
    expect(counts.bugs).toEqual([expect.objectContaining({ index: -1, bug: "leak" })]);
  });
});

describe("fuzz inputs", () => {
  it("are the same bytes for the same seed, surface and index, and differ otherwise", () => {
    const bytes = (seed: number, surface: string, index: number) => Array.from(Rng.forInput(seed, surface, index).bytes(32));
    expect(bytes(17, "recipe", 5)).toEqual(bytes(17, "recipe", 5));
    expect(bytes(17, "recipe", 5)).not.toEqual(bytes(17, "recipe", 6));
    expect(bytes(17, "recipe", 5)).not.toEqual(bytes(18, "recipe", 5));
    expect(bytes(17, "recipe", 5)).not.toEqual(bytes(17, "job-spec", 5));
  });
});

/** README's "Bad input" table: each row's surface names (`dataset-*` a prefix) and the codes it documents. */
function documentedCodes(): { names: string[]; codes: string[] }[] {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const section = /\n### Bad input\n([\s\S]*?)\n#/.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "### Bad input" section');
  return section.split("\n").filter((l) => l.startsWith("|") && !l.startsWith("| ---") && !l.startsWith("| input")).map((row) => {
    const cells = row.split("|").map((c) => c.trim());
    return {
      names: [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      codes: [...cells[3]!.matchAll(/[A-Z][A-Z_]+/g)].map((m) => m[0]).filter((c) => c in ErrorCode),
    };
  });
}

describe("README's bad-input table", () => {
  const rows = documentedCodes();
  it.each(surfaces.map((s) => [s.name, s] as const))("documents exactly the codes surface %s accepts", (name, surface) => {
    const row = rows.find((r) => r.names.some((n) => (n.endsWith("*") ? name.startsWith(n.slice(0, -1)) : n === name)));
    expect(row, `no README row names ${name}`).toBeDefined();
    expect([...surface.codes].sort()).toEqual([...new Set(row!.codes)].sort());
  });
});
