// applyRecipe writes the adapted checkpoint in the input's format, deterministically, and refuses foreign weights.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintCheckpoint, openCheckpoint, writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { factorBlocks, truncateBlocks } from "../../agent/linalg/blocks.ts";
import { fromFloat32 } from "../../agent/linalg/matrix.ts";
import { loadModel } from "../../agent/models/load.ts";
import { applyRecipe } from "../../agent/work/apply.ts";
import { makeRecipe, type Recipe } from "../../common/recipe.ts";
import { demoFixture, PLANTED, type DemoFixture } from "./fixture.ts";

let fx: DemoFixture;
let out: string;
beforeAll(async () => {
  fx = await demoFixture();
  out = mkdtempSync(join(tmpdir(), "c2i-apply-"));
});
afterAll(() => {
  fx?.cleanup();
  rmSync(out, { recursive: true, force: true });
});

const recipeFor = (dir: string, edits: Recipe["edits"]) => makeRecipe(fingerprintCheckpoint(dir), "llama", edits);
const planted = { matrix: PLANTED, blocks: 2, rate: 0.2, keptRanks: [25, 25], clustering: "blocks" as const };
const files = (dir: string) => readdirSync(dir).sort();
const bytes = (dir: string, name: string) => readFileSync(join(dir, name));

describe("applyRecipe", () => {
  it("writes byte-identical checkpoints when applied twice, with only the edited tensor changed", async () => {
    const recipe = recipeFor(fx.model, [planted]);
    const a = join(out, "a");
    const b = join(out, "b");
    await applyRecipe(fx.model, recipe, a, { svd: fx.svd });
    await applyRecipe(fx.model, recipe, b, { svd: fx.svd });
    expect(files(a)).toEqual(files(fx.model));
    for (const f of files(a)) expect(bytes(a, f).equals(bytes(b, f)), f).toBe(true);
    for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"]) expect(bytes(a, f).equals(bytes(fx.model, f))).toBe(true);
    const src = openCheckpoint(fx.model);
    const dst = openCheckpoint(a);
    try {
      expect(dst.names()).toEqual(src.names());
      for (const name of src.names()) {
        expect(dst.entry(name).dtype).toBe(src.entry(name).dtype);
        const same = Buffer.from(dst.readF32(name).buffer).equals(Buffer.from(src.readF32(name).buffer));
        expect(same, name).toBe(name !== PLANTED);
      }
    } finally {
      src.close();
      dst.close();
    }
    const original = await loadModel(fx.model);
    const adapted = await loadModel(a);
    try {
      const f = factorBlocks(fromFloat32(64, 32, original.readMatrix(PLANTED)), 2, fx.svd);
      expect(adapted.readMatrix(PLANTED)).toEqual(truncateBlocks(f, 0.2).weight);
    } finally {
      original.dispose();
      adapted.dispose();
    }
  });

  it("an empty recipe reproduces the original tensors exactly", async () => {
    const dir = join(out, "none");
    const report = await applyRecipe(fx.model, recipeFor(fx.model, []), dir, { svd: fx.svd });
    expect(report.edits).toEqual([]);
    for (const f of files(fx.model)) expect(bytes(dir, f).equals(bytes(fx.model, f)), f).toBe(true);
  });

  it("keeps the input's sharding and dtypes (F16/BF16 shards with an index)", async () => {
    const src = openCheckpoint(fx.model);
    const tensors = src.names().map((name, i) => ({ name, shape: src.entry(name).shape, data: src.readF32(name), dtype: (i % 2 ? "F16" : "BF16") as "F16" | "BF16" }));
    src.close();
    const sharded = join(out, "sharded-in");
    writeCheckpoint(sharded, tensors, { maxShardBytes: 40_000 });
    for (const f of ["config.json", "tokenizer.json"]) copyFileSync(join(fx.model, f), join(sharded, f));
    const dir = join(out, "sharded-out");
    await applyRecipe(sharded, recipeFor(sharded, [planted]), dir, { svd: fx.svd });
    expect(files(dir)).toEqual(files(sharded));
    expect(files(dir).filter((f) => f.endsWith(".safetensors")).length).toBeGreaterThan(1);
    expect(bytes(dir, "model.safetensors.index.json").equals(bytes(sharded, "model.safetensors.index.json"))).toBe(true);
    const a = openCheckpoint(sharded);
    const b = openCheckpoint(dir);
    try {
      for (const name of a.names()) {
        expect(b.entry(name).dtype).toBe(a.entry(name).dtype);
        expect(b.entry(name).file.split("/").pop()).toBe(a.entry(name).file.split("/").pop());
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it("refuses a recipe made for other weights, or whose kept ranks disagree", async () => {
    await expect(applyRecipe(fx.model, makeRecipe("ab".repeat(32), "llama", [planted]), join(out, "x"), { svd: fx.svd })).rejects.toMatchObject({ code: "RECIPE_MISMATCH", message: expect.stringContaining("fingerprint") });
    await expect(applyRecipe(fx.model, recipeFor(fx.model, [{ ...planted, keptRanks: [3, 3] }]), join(out, "y"), { svd: fx.svd })).rejects.toMatchObject({ code: "RECIPE_MISMATCH", message: expect.stringContaining("[25,25]") });
    await expect(applyRecipe(fx.model, recipeFor(fx.model, [{ ...planted, matrix: "model.norm.weight" }]), join(out, "z"), { svd: fx.svd })).rejects.toMatchObject({ code: "RECIPE_MISMATCH" });
    await expect(applyRecipe(fx.model, recipeFor(fx.model, []), fx.model, { svd: fx.svd })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("creates nothing at --out when it refuses a recipe, even after the fingerprint matched", async () => {
    const refused: [string, Recipe][] = [
      ["kept ranks", recipeFor(fx.model, [{ ...planted, keptRanks: [3, 3] }])],
      ["not a candidate", recipeFor(fx.model, [{ ...planted, matrix: "model.norm.weight" }])],
      ["model type", makeRecipe(fingerprintCheckpoint(fx.model), "gpt2", [planted])],
      ["more blocks than rows", recipeFor(fx.model, [{ ...planted, blocks: 65, keptRanks: Array(65).fill(1) }])],
    ];
    for (const [name, recipe] of refused) {
      const dir = join(out, `refused-${name.replaceAll(" ", "-")}`);
      await expect(applyRecipe(fx.model, recipe, dir, { svd: fx.svd }), name).rejects.toMatchObject({ code: expect.stringMatching(/RECIPE_MISMATCH|INVALID_ARGUMENT/) });
      expect(existsSync(dir), `${name}: ${dir}`).toBe(false);
    }
  });
});
