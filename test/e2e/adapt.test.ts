// End to end through the real CLI, local agents and the generated demo: c2i and laser, outputs, apply, 1 vs 2 agents.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecipe } from "../../common/recipe.ts";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "c2i-e2e-"));
const cache = join(dir, "cache");
// Small grids keep the suite's CPU budget: 2 block counts × top 2 × 2 rates for c2i, 14 matrices × 2 rates for laser.
const grid = ["--rates", "0.2,0.9", "--blocks", "1,4", "--top-m", "2"];

async function c2i(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(root, "bin/c2i.mjs"), ...args], {
    cwd: root, env: { ...process.env, C2I_LOG_LEVEL: "warn" }, maxBuffer: 64 * 1024 * 1024,
  });
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("c2i adapt on the generated demo", () => {
  let two: ResultDocument;
  beforeAll(async () => {
    await c2i("adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cache, "--out", join(dir, "c2i-2"), "--agents", "2", ...grid);
    two = readJson(join(dir, "c2i-2", "result.json"));
  });

  it("finds the planted edit and writes result.json, recipe.json, report.html and the checkpoint", async () => {
    const out = join(dir, "c2i-2");
    expect(two.format).toBe("c2i.result/1");
    expect(two.strategy).toBe("c2i");
    expect(two.phases.map((p) => p.name)).toEqual(["prepare", "baseline", "score", "evaluate", "finalize"]);
    expect(two.candidates).toHaveLength(2 * 2 * 2);
    expect(two.sets.selection.n).toBe(100);
    expect(two.chosen.edit).toBe(true);
    expect(two.chosen.test.accuracy).toBeGreaterThan(two.baseline.test.accuracy);
    expect(two.agents).toHaveLength(2);
    const recipe = parseRecipe(readFileSync(join(out, "recipe.json"), "utf8"), "recipe.json");
    expect(recipe.edits).toEqual([{ ...two.chosen.candidate, keptRanks: two.chosen.keptRanks, clustering: "blocks" }]);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|<link|src="http/);
    for (const f of ["config.json", "model.safetensors", "tokenizer.json"]) expect(statSync(join(out, "model", f)).size).toBeGreaterThan(0);
  });

  it("`c2i apply` reproduces the checkpoint byte for byte", async () => {
    const again = join(dir, "applied");
    await c2i("apply", "--recipe", join(dir, "c2i-2", "recipe.json"), "--model", "demo", "--cache-dir", cache, "--out", again);
    expect(readFileSync(join(again, "model.safetensors")).equals(readFileSync(join(dir, "c2i-2", "model", "model.safetensors")))).toBe(true);
  });

  it("the adapted checkpoint scores on the test set what result.json says", async () => {
    const { stdout } = await c2i("eval", "--model", join(dir, "c2i-2", "model"), "--dataset", "demo", "--cache-dir", cache, "--split", "test", "--json");
    const e = JSON.parse(stdout) as { correct: number; n: number };
    expect({ correct: e.correct, n: e.n }).toEqual({ correct: two.chosen.test.correct, n: two.chosen.test.n });
  });

  it("gives the same numbers on 1 agent as on 2", async () => {
    const out = join(dir, "c2i-1");
    await c2i("adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cache, "--out", out, "--agents", "1", "--no-checkpoint", ...grid);
    const one = readJson<ResultDocument>(join(out, "result.json"));
    expect(one.agents).toHaveLength(1);
    expect(resultNumbers(one)).toEqual(resultNumbers(two));
  });
});

describe("c2i adapt --strategy both on the generated demo", () => {
  it("runs LASER (every matrix × rate at K = 1 on the first 20% of rows) beside c2i and compares them in the report", async () => {
    const out = join(dir, "both");
    const { stdout } = await c2i("adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", cache, "--out", out, "--strategy", "both", "--agents", "2", "--no-checkpoint", "--json", "--rates", "0.2,0.9", "--top-m", "2");
    const summary = JSON.parse(stdout) as { files: string[]; results: { strategy: string }[] };
    expect(summary.results.map((r) => r.strategy)).toEqual(["c2i", "laser"]);
    expect(summary.files).toEqual(["result.json", "result.laser.json", "recipe.json", "report.html"]);
    const r = readJson<ResultDocument>(join(out, "result.laser.json"));
    expect(r.strategy).toBe("laser");
    expect(r.phases.map((p) => p.name)).toEqual(["prepare", "baseline", "evaluate", "finalize"]);
    expect(r.sets.selection).toEqual({ name: "validation", n: Math.trunc(0.2 * r.dataset.rows) });
    expect(r.sets.test.n).toBe(r.dataset.rows - r.sets.selection.n);
    expect(r.candidates.every((c) => c.blocks === 1 && c.n === r.sets.selection.n)).toBe(true);
    expect(new Set(r.candidates.map((c) => c.matrix)).size * 2).toBe(r.candidates.length);
    expect(r.chosen.candidate?.blocks).toBe(1);
    expect(r.chosen.test.accuracy).toBeGreaterThan(r.baseline.test.accuracy);
    expect(readJson<ResultDocument>(join(out, "result.json")).strategy).toBe("c2i");
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("paper Figure 2");
  });
});
