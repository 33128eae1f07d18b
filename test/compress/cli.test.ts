// The real CLI on the generated demo: `c2i compress --json` writes a loadable checkpoint; `c2i probe --out` writes the plot.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpoint } from "../../agent/checkpoint/safetensors.ts";

const env = { ...process.env, C2I_BACKEND: "cpu", C2I_BLAS: "off", C2I_LOG_LEVEL: "silent" };
let root: string;
let model: string;
let dataset: string;

function c2i(...args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ["bin/c2i.mjs", ...args, "--json"], { cwd: process.cwd(), env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "c2i-compress-cli-"));
  const demo = c2i("demo", "--out", join(root, "demo"));
  model = demo.model as string;
  dataset = demo.dataset as string;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("c2i compress and c2i probe", () => {
  it("compresses the MLP matrices with fwsvd and reports parameters and accuracy before/after", () => {
    const out = join(root, "fw");
    const r = c2i("compress", "--model", model, "--dataset", dataset, "--ratio", "0.5", "--factorization", "fwsvd", "--calibration-size", "16", "--eval-size", "32", "--fisher-chunk", "4", "--out", out);
    expect(r.factorization).toBe("fwsvd");
    expect((r.matrices as unknown[]).length).toBe(6);
    expect(r.parameters).toMatchObject({ compressedDense: 12288, compressedLowRank: 9216 });
    expect((r.before as { n: number }).n).toBe(32);
    expect((r.after as { perplexity: number }).perplexity).toBeGreaterThan(1);
    const a = openCheckpoint(model);
    const b = openCheckpoint(out);
    try {
      expect(b.names()).toEqual(a.names());
    } finally {
      a.close();
      b.close();
    }
  });

  it("probes two hidden states before and after a compression and writes probe.html", () => {
    const out = join(root, "probe");
    const r = c2i("probe", "--model", model, "--dataset", dataset, "--layers", "0,1", "--size", "120", "--steps", "40", "--hidden", "16", "--ratio", "0.5", "--out", out);
    const runs = r.runs as { label: string; run: { layers: { layer: number }[] } }[];
    expect(runs.map((x) => x.label)).toEqual(["original", "svd 0.5"]);
    expect(runs[0]!.run.layers.map((l) => l.layer)).toEqual([0, 1]);
    expect(existsSync(join(out, "probe.json"))).toBe(true);
    expect(readFileSync(join(out, "probe.html"), "utf8")).toContain("<svg");
  });
});
