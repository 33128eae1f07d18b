// The real CLI (node bin/c2i.mjs) on the generated demo: demo, eval, score and apply with --json.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { buildDemoModel, DEMO_SEED } from "../../agent/demo/construction.ts";
import { buildDemoRows } from "../../agent/demo/task.ts";
import { makeRecipe } from "../../common/recipe.ts";
import { adaptTestSplit } from "../../common/split.ts";
import { OTHER, PLANTED } from "./fixture.ts";

const env = { ...process.env, C2I_BACKEND: "cpu", C2I_BLAS: "off", C2I_LOG_LEVEL: "silent" };

function c2i(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/c2i.mjs", ...args], { cwd: process.cwd(), env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]): Record<string, unknown> {
  const r = c2i(...args, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

let root: string;
let model: string;
let dataset: string;
/** eval on the adaptation set (seed 0), shared with the score test. */
let evalAdapt: Record<string, unknown>;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "c2i-cli-"));
  const r = json(["demo", "--out", join(root, "demo")]);
  model = r.model as string;
  dataset = r.dataset as string;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("c2i CLI on the demo", () => {
  it("demo writes the model and dataset it reports", () => {
    expect(readdirSync(model)).toContain("model.safetensors");
    expect(readFileSync(dataset, "utf8").trim().split("\n")).toHaveLength(1344);
  });

  it("eval --split adapt prints accuracy, loss and n; the accuracy is what the construction predicts", () => {
    const r = (evalAdapt = json(["eval", "--model", model, "--dataset", dataset, "--split", "adapt", "--seed", "0"]));
    const demo = buildDemoModel();
    const rows = buildDemoRows(demo.world, DEMO_SEED);
    const adapt = adaptTestSplit(rows.length, { seed: 0 }).adapt;
    const flagged = (prompt: string) => demo.world.subjects.some((s, i) => demo.world.groupOf[i] !== -1 && prompt.split(" ").includes(s));
    const predicted = adapt.filter((i) => !flagged(rows[i]!.prompt)).length / adapt.length;
    expect(r).toMatchObject({ n: 100, split: "adapt", seed: 0, protocol: "generative", backend: "cpu" });
    expect(r.accuracy).toBe(predicted);
    expect(r.loss as number).toBeGreaterThan(0);
  });

  it("score prints the issue's JSON shape, and its loss is eval's loss on the same samples", () => {
    const r = json(["score", "--model", model, "--dataset", dataset, "--blocks", "1,2", "--smallest", "4", "--matrices", `${PLANTED},${OTHER}`]);
    expect(r.loss as number).toBeCloseTo(evalAdapt.loss as number, 4);
    const scores = r.scores as { matrix: string; blocks: number; score: number; smallest: { block: number; sigma: number[]; grad: number[] }[] }[];
    expect(scores.map((s) => [s.matrix, s.blocks])).toEqual([[PLANTED, 1], [PLANTED, 2], [OTHER, 1], [OTHER, 2]]);
    for (const s of scores) {
      expect(s.smallest.map((b) => b.block)).toEqual(Array.from({ length: s.blocks }, (_, i) => i));
      for (const b of s.smallest) {
        expect(b.sigma).toHaveLength(4);
        expect(b.grad).toHaveLength(4);
        expect([...b.sigma].sort((x, y) => x - y)).toEqual(b.sigma);
      }
      // The default sign (METHOD.md): Σ max(∂L/∂σ, 0) over the smallest singular values.
      expect(s.score).toBeCloseTo(s.smallest.flatMap((b) => b.grad).reduce((a, g) => a + Math.max(g, 0), 0), 10);
    }
  });

  it("apply reproduces the same bytes twice and refuses a recipe for other weights", () => {
    const recipe = makeRecipe(fingerprintCheckpoint(model), "llama", [{ matrix: PLANTED, blocks: 1, rate: 0.2, keptRanks: [25], clustering: "blocks" }]);
    const file = join(root, "recipe.json");
    writeFileSync(file, JSON.stringify(recipe));
    const a = json(["apply", "--recipe", file, "--model", model, "--out", join(root, "a")]);
    json(["apply", "--recipe", file, "--model", model, "--out", join(root, "b")]);
    expect(a.edits).toEqual([{ matrix: PLANTED, blocks: 1, rate: 0.2, keptRanks: [25] }]);
    for (const f of readdirSync(join(root, "a"))) expect(readFileSync(join(root, "a", f)).equals(readFileSync(join(root, "b", f))), f).toBe(true);
    const fixed = json(["eval", "--model", join(root, "a"), "--dataset", dataset, "--split", "adapt"]);
    expect(fixed.accuracy).toBe(1);
    writeFileSync(file, JSON.stringify({ ...recipe, modelFingerprint: "cd".repeat(32) }));
    const bad = c2i("apply", "--recipe", file, "--model", model, "--out", join(root, "c"));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n").filter((l) => l.startsWith("c2i apply:"))).toEqual([expect.stringContaining("RECIPE_MISMATCH")]);
  });

  it("rejects a bad split with one clear line and exit code 2", () => {
    const r = c2i("eval", "--model", model, "--dataset", dataset, "--split", "train");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--split must be one of adapt, test, all");
  });
});
