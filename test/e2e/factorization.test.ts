// End to end through the real CLI: `c2i adapt --clustering ksubspaces` and `--factorization asvd` on the generated
// demo write recipes that `c2i apply` reproduces byte for byte, and that score what result.json says.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseRecipe, type Recipe } from "../../common/recipe.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "c2i-e2e-fact-"));
const cache = join(dir, "cache");
// Small grids keep the CPU budget: K = 4 only (K-subspaces at K = 1 is plain SVD), top 2, two rates.
const grid = ["--rates", "0.2,0.9", "--blocks", "4", "--top-m", "2", "--agents", "1"];

async function c2i(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(root, "bin/c2i.mjs"), ...args], {
    cwd: root, env: { ...process.env, C2I_LOG_LEVEL: "warn" }, maxBuffer: 64 * 1024 * 1024,
  });
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** adapt → recipe → apply (byte-compared with adapt's checkpoint) → eval of the checkpoint on the test set. */
async function roundTrip(name: string, flags: string[]): Promise<{ result: ResultDocument; recipe: Recipe }> {
  const out = join(dir, name);
  await c2i("adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cache, "--out", out, ...grid, ...flags);
  const result = readJson<ResultDocument>(join(out, "result.json"));
  const recipe = parseRecipe(readFileSync(join(out, "recipe.json"), "utf8"), "recipe.json");
  expect(result.chosen.edit).toBe(true);
  expect(recipe).toEqual(result.recipe);
  const again = join(dir, `${name}-applied`);
  await c2i("apply", "--recipe", join(out, "recipe.json"), "--model", "demo", "--cache-dir", cache, "--out", again);
  expect(readFileSync(join(again, "model.safetensors")).equals(readFileSync(join(out, "model", "model.safetensors")))).toBe(true);
  // The checkpoint apply writes is the edit the agents evaluated, and `c2i eval` computes it with the job's batching
  // and one OpenBLAS thread: the same numbers to the last bit, on the test set (sharded in the search) and on the
  // adaptation set (evaluated from the layer cache's hidden states in the search, by a full forward here).
  const evaluate = async (split: string) =>
    JSON.parse((await c2i("eval", "--model", join(out, "model"), "--dataset", "demo", "--cache-dir", cache, "--split", split, "--json")).stdout) as { accuracy: number; correct: number; n: number; loss: number };
  const pick = (m: { accuracy: number; correct: number; n: number; loss: number }) => ({ accuracy: m.accuracy, correct: m.correct, n: m.n, loss: m.loss });
  expect(pick(await evaluate("test"))).toEqual(pick(result.chosen.test));
  expect(pick(await evaluate("adapt"))).toEqual(pick(result.chosen.selection));
  // (The demo's edits move the loss by ~1e-5 at these rates: another factorization would not match at all.)
  expect(result.chosen.test.loss).not.toBeCloseTo(result.baseline.test.loss, 6);
  return { result, recipe };
}

describe("c2i adapt with a row clustering and a factorization on the generated demo", () => {
  it("--clustering ksubspaces: the recipe records K-subspaces and its settings; apply reproduces the checkpoint byte for byte", async () => {
    const { result, recipe } = await roundTrip("ksubspaces", ["--clustering", "ksubspaces"]);
    expect(recipe.factorization).toBe("svd");
    expect(recipe.edits).toEqual([{
      ...result.chosen.candidate, keptRanks: result.chosen.keptRanks, clustering: "ksubspaces",
      kSubspaces: { rank: expect.any(Number), maxIterations: 10, init: "blocks", seed: 0 },
    }]);
  });

  it("--factorization asvd: the recipe carries the column scales; apply reproduces the checkpoint byte for byte without the samples", async () => {
    const { recipe } = await roundTrip("asvd", ["--factorization", "asvd"]);
    expect(recipe.factorization).toBe("asvd");
    expect(recipe.edits[0]).toMatchObject({ clustering: "blocks", blocks: 4 });
    expect(recipe.edits[0]!.colScale!.length).toBeGreaterThan(0);
    expect(recipe.edits[0]!.rowScale).toBeUndefined();
    // A recipe stripped of its scales is refused with the reason, not applied as a plain SVD.
    const stripped = join(dir, "stripped.json");
    writeFileSync(stripped, JSON.stringify({ ...recipe, edits: recipe.edits.map(({ colScale: _c, ...e }) => e) }));
    await expect(c2i("apply", "--recipe", stripped, "--model", "demo", "--cache-dir", cache, "--out", join(dir, "stripped"))).rejects.toMatchObject({
      stderr: expect.stringMatching(/colScale is required with factorization "asvd"/),
    });
  });

  it("rejects an unknown factorization before any agent starts", async () => {
    await expect(c2i("adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cache, "--out", join(dir, "nmf"), "--factorization", "nmf")).rejects.toMatchObject({
      stderr: expect.stringMatching(/factorization must be one of svd, fwsvd, asvd/),
    });
  });
});
