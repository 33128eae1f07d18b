// `c2i sweep` end to end through the real CLI and local agents: one model × two datasets, each cell's outputs and
// the same numbers as its job run alone, sweep.json and sweep.html, and a resume after Ctrl-C that keeps finished cells.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDemo } from "../../agent/demo/write.ts";
import { resultNumbers, type ResultDocument } from "../../coordinator/plan/result.ts";
import type { SweepSummary } from "../../coordinator/sweep/summary.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(root, "bin/c2i.mjs");
const dir = mkdtempSync(join(tmpdir(), "c2i-e2e-sweep-"));
const grid = ["--adapt-size", "60", "--test-size", "60", "--rates", "0.2,0.9", "--blocks", "1,4", "--top-m", "2"];
const env = { ...process.env, C2I_LOG_LEVEL: "warn" };
const c2i = (...args: string[]) => run(process.execPath, [BIN, ...args], { cwd: root, env, maxBuffer: 64 << 20 });
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

let model = "";
let full = "";
let half = "";

beforeAll(() => {
  const demo = writeDemo(join(dir, "demo"));
  model = demo.model;
  full = demo.dataset;
  // A second task: the demo's first 700 rows.
  half = join(dir, "half.jsonl");
  writeFileSync(half, readFileSync(full, "utf8").split("\n").slice(0, 700).join("\n") + "\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("c2i sweep", () => {
  it("runs one job per cell, writes each cell's outputs and one comparison, with each cell's numbers as run alone", async () => {
    const out = join(dir, "grid");
    const { stdout } = await c2i("sweep", "--models", model, "--datasets", `${full},${half}`, "--out", out, "--agents", "2", "--json", ...grid);
    const { sharedWork, ...summary } = JSON.parse(stdout) as SweepSummary & { sharedWork: Record<string, number> };
    expect(summary.cells.map((c) => [c.name, c.state])).toEqual([["model--dataset", "succeeded"], ["model--half", "succeeded"]]);
    // The local agents report what the jobs shared: each (matrix, K) is factored at most once per agent for the score
    // (each part's smallest triplets) and once more, fully, if a candidate truncates it, however the shards fell (which
    // agent scores which matrices is a matter of timing); the second cell reads the first cell's factors.
    const docs = ["model--dataset", "model--half"].map((cell) => readJson<ResultDocument>(join(out, cell, "result.json")));
    const keys = docs[1]!.scores.length;
    const truncated = new Set(docs.flatMap((d) => d.candidates.map((c) => `${c.matrix}|${c.blocks}`))).size;
    expect(sharedWork.factorMisses).toBeLessThanOrEqual(2 * (keys + truncated));
    expect(sharedWork.factorHits + sharedWork.factorMisses).toBeGreaterThan(2 * keys);
    expect(sharedWork.factorHits).toBeGreaterThan(0);
    expect(readJson<SweepSummary>(join(out, "sweep.json"))).toEqual(summary);
    for (const c of summary.cells) for (const f of ["result.json", "recipe.json", "report.html"]) expect(existsSync(join(out, c.name, f)), `${c.name}/${f}`).toBe(true);
    const html = readFileSync(join(out, "sweep.html"), "utf8");
    for (const c of summary.cells) expect(html).toContain(`href="${c.name}/report.html"`);
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(summary.cells[0]!.edit).toMatchObject({ kind: "mlp_out", layer: 0 });

    // The same cell as its own job (c2i adapt) gives the same numbers to the last bit.
    const alone = join(dir, "alone");
    await c2i("adapt", "--model", model, "--dataset", half, "--out", alone, "--agents", "1", "--no-checkpoint", ...grid);
    expect(resultNumbers(readJson<ResultDocument>(join(out, "model--half", "result.json")))).toEqual(resultNumbers(readJson<ResultDocument>(join(alone, "result.json"))));
  });

  it("resumes after Ctrl-C: exit 130, finished cells kept and not recomputed, the rest run on the next call", async () => {
    const out = join(dir, "resume");
    const file = join(dir, "sweep.yaml");
    // A quick cell and a slow one (LASER over every matrix), so the signal comes between their ends.
    writeFileSync(file, `cells:
  - { name: quick, model: ${model}, dataset: ${half}, settings: { adaptSize: 60, testSize: 60, blockCounts: [1], topM: 1, rates: [0.9] } }
  - { name: slow, model: ${model}, dataset: ${full}, strategy: laser, settings: { rates: [0.1, 0.2, 0.4, 0.6, 0.8, 0.9] } }
`);
    const child = spawn(process.execPath, [BIN, "sweep", "--file", file, "--out", out, "--agents", "1"], { cwd: root, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await expect.poll(() => existsSync(join(out, "quick", "cell.json")), { timeout: 120_000, interval: 100 }).toBe(true);
    child.kill("SIGINT");
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted by SIGINT: 1 cell cancelled; 1 finished cells kept/);
    expect(existsSync(join(out, "slow", "cell.json"))).toBe(false);
    const quick = readFileSync(join(out, "quick", "result.json"));

    const { stdout } = await c2i("sweep", "--file", file, "--out", out, "--agents", "1", "--json");
    const summary = JSON.parse(stdout) as SweepSummary;
    expect(summary.cells.map((c) => [c.name, c.state, c.reused])).toEqual([["quick", "succeeded", true], ["slow", "succeeded", false]]);
    expect(readFileSync(join(out, "quick", "result.json")).equals(quick)).toBe(true);
  });

  it("refuses a bad sweep before any agent starts, naming the file and the field", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "cells:\n  - { model: m, dataset: d, settings: { rates: [1.5] } }\n");
    await expect(c2i("sweep", "--file", file, "--out", join(dir, "bad"))).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/bad\.yaml: cell "m--d": job settings: rates/) });
    expect(existsSync(join(dir, "bad"))).toBe(false);
  });
});
