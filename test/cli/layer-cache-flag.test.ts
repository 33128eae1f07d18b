// `--layer-cache-mib`: parsed and refused at the edge, and it reaches the local agents' layer caches.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isC2iError } from "../../common/errors.ts";
import type { LayerCacheCounts } from "../../common/local-agent-protocol.ts";
import { parseLayerCacheMib } from "../../cli/command.ts";
import { runC2i } from "../fixtures/processes.ts";

const dir = mkdtempSync(join(tmpdir(), "c2i-layer-flag-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(value: unknown): string {
  try {
    parseLayerCacheMib(value);
  } catch (e) {
    expect(isC2iError(e) && e.code).toBe("INVALID_ARGUMENT");
    return (e as Error).message;
  }
  throw new Error(`--layer-cache-mib ${String(value)} was accepted`);
}

describe("--layer-cache-mib", () => {
  it("turns MiB into bytes, 0 meaning off, absent meaning the executor's default", () => {
    expect(parseLayerCacheMib(undefined)).toBeUndefined();
    expect(parseLayerCacheMib("0")).toBe(0);
    expect(parseLayerCacheMib("512")).toBe(512 * 2 ** 20);
    expect(parseLayerCacheMib(" 64 ")).toBe(64 * 2 ** 20);
  });

  it("refuses negative, fractional, non-numeric, empty and absurdly large values with a message naming the flag", () => {
    for (const bad of ["-1", "1.5", "abc", "", "1e3", "0x10", String(2 ** 20 + 1)]) {
      expect(refusal(bad)).toMatch(/^--layer-cache-mib expects a whole number of MiB from 0 \(layer cache off\) to 1048576, got "/);
    }
  });

  it("makes `c2i adapt` and `c2i agent` exit 2 with one line before starting anything", async () => {
    const adapt = await runC2i(["adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", join(dir, "cache"), "--layer-cache-mib=-5"]);
    expect(adapt.code).toBe(2);
    expect(adapt.stderr.trim()).toBe('c2i adapt: INVALID_ARGUMENT: --layer-cache-mib expects a whole number of MiB from 0 (layer cache off) to 1048576, got "-5"; the default is 512 per job');
    const agent = await runC2i(["agent", "--roots", dir, "--nats", "nats://127.0.0.1:1", "--layer-cache-mib", "lots"]);
    expect(agent.code).toBe(2);
    expect(agent.stderr.trim().split("\n")).toHaveLength(1);
    expect(agent.stderr).toContain('--layer-cache-mib expects a whole number of MiB from 0 (layer cache off) to 1048576, got "lots"');
  });

  it("is refused with --coordinator, whose agents each have their own", async () => {
    const r = await runC2i(["adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", join(dir, "cache"), "--coordinator", "127.0.0.1:1", "--layer-cache-mib", "8"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--layer-cache-mib sets the local agents' layer cache; with --coordinator each agent has its own");
  });

  it("reaches the local agents: 0 and the default give identical results, only the default runs batches from cached layers; the checkpoint is renamed into place", async () => {
    // Layer 1 of the 2-layer demo only: each edit can start from the hidden state entering layer 1.
    const args = ["adapt", "--model", "demo", "--dataset", "demo", "--cache-dir", join(dir, "cache"), "--agents", "1",
      "--layers", "1", "--blocks", "1", "--rates", "0.2,0.9", "--top-m", "2", "--json"];
    interface Summary { results: { baseline: unknown; chosen: unknown; edit: unknown; candidates: number }[]; layerCache: LayerCacheCounts }
    const runs: Summary[] = [];
    for (const extra of [[], ["--layer-cache-mib", "0", "--no-checkpoint"]]) {
      const r = await runC2i([...args, "--out", join(dir, `out-${runs.length}`), ...extra], { C2I_LOG_LEVEL: "warn" });
      expect(r.code, r.stderr).toBe(0);
      runs.push(JSON.parse(r.stdout) as Summary);
    }
    const [on, off] = runs as [Summary, Summary];
    const numbers = (s: Summary) => s.results.map(({ baseline, chosen, edit, candidates }) => ({ baseline, chosen, edit, candidates }));
    expect(numbers(off)).toEqual(numbers(on));
    expect(on.layerCache.partial).toBeGreaterThan(0);
    expect(on.layerCache.bytes).toBeGreaterThan(0);
    expect(on.layerCache.sets).toBe(1);
    expect(off.layerCache).toEqual({ bytes: 0, sets: 0, partial: 0, full: 0 });
    // The checkpoint was written to a temporary directory and renamed: nothing else is left in --out.
    expect(readdirSync(join(dir, "out-0")).sort()).toEqual(["model", "recipe.json", "report.html", "result.json"]);
    expect(readdirSync(join(dir, "out-0", "model"))).toContain("model.safetensors");
  }, 90_000);
});
