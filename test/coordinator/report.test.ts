// Specification of the outputs: report.html (self-contained, the plots present), the written files, the progress display.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecipe } from "../../common/recipe.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { JobServiceImpl } from "../../coordinator/jobs/service.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import { renderReport } from "../../coordinator/report/html.ts";
import { writeOutputs } from "../../coordinator/report/outputs.ts";
import { ProgressDisplay } from "../../coordinator/report/progress.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";
import { SimulatedPool, type SimulatedModel } from "./fakes/simulated-pool.ts";

const model: SimulatedModel = { rows: 400, layers: 3, kinds: ["q", "mlp_out"], good: { matrix: "h.1.mlp_out.weight", blocks: 1, rate: 0.8 } };

async function resultOf(strategy: string, m: SimulatedModel = model): Promise<ResultDocument> {
  const store = new MemoryJobStoreImpl();
  const bus = new MemoryEventBusImpl();
  const service = new JobServiceImpl({ store, bus, pool: new SimulatedPool({ model: m, agents: 2 }) });
  try {
    const job = await service.submit({ model: "sim-model", dataset: "sim<data>", strategy });
    return (await service.wait(job.id)).result as unknown as ResultDocument;
  } finally {
    await service.close();
    await store.close();
    await bus.close();
  }
}

let c2i: ResultDocument;
let laser: ResultDocument;
const dir = mkdtempSync(join(tmpdir(), "c2i-report-"));
beforeAll(async () => {
  c2i = await resultOf("c2i");
  laser = await resultOf("laser");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("report.html", () => {
  it("is one self-contained page: inline SVG, no scripts or external resources, text escaped", () => {
    const html = renderReport(c2i);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain("sim&lt;data&gt;");
    expect(html).not.toContain("sim<data>");
  });

  it("shows the chosen edit, a score heat-map and an accuracy-vs-rate chart per K, and phase timings", () => {
    const html = renderReport(c2i);
    expect(html).toContain("h.1.mlp_out.weight");
    for (const k of c2i.settings.blockCounts) {
      expect(html).toContain(`aria-label="score heat-map for K=${k}"`);
      expect(html).toContain(`aria-label="accuracy vs rate for K=${k}"`);
    }
    expect(html).toContain('aria-label="phase timings"');
    expect(html).not.toContain("paper Figure 2");
  });

  it("adds the accuracy–time comparison (Figure 2) when a second strategy's result is given", () => {
    const html = renderReport(c2i, [laser]);
    expect(html).toContain('aria-label="test accuracy against search time per strategy"');
    expect(html).toMatch(/speed-up \d+\.\d×/);
  });

  it("says \"No edit\" when nothing beat the unmodified model", async () => {
    const none = await resultOf("c2i", { ...model, good: undefined });
    expect(renderReport(none)).toContain("<b>No edit.</b>");
  });
});

describe("writeOutputs", () => {
  it("writes result.json, result.<strategy>.json, recipe.json, report.html and hands the recipe to the checkpoint writer", async () => {
    const seen: string[] = [];
    const files = await writeOutputs(join(dir, "out"), [c2i, laser], { writeCheckpoint: async (recipe, at) => void seen.push(`${recipe.edits[0]?.matrix} → ${at}`) });
    expect(files).toEqual(["result.json", "result.laser.json", "recipe.json", "report.html", "model/"]);
    expect(readdirSync(join(dir, "out")).sort()).toEqual(["recipe.json", "report.html", "result.json", "result.laser.json"]);
    expect(JSON.parse(readFileSync(join(dir, "out", "result.json"), "utf8"))).toEqual(JSON.parse(JSON.stringify(c2i)));
    expect(parseRecipe(readFileSync(join(dir, "out", "recipe.json"), "utf8")).edits[0]!.matrix).toBe("h.1.mlp_out.weight");
    expect(seen).toEqual([`h.1.mlp_out.weight → ${join(dir, "out", "model")}`]);
  });
});

describe("progress display", () => {
  const events: [string, Record<string, unknown>][] = [
    ["phase", { phase: "evaluate", status: "started", index: 4, of: 5, shards: 8, reused: 0 }],
    ...Array.from({ length: 8 }, (_, i): [string, Record<string, unknown>] => ["progress", { phase: "evaluate", done: i + 1, total: 8, etaMs: (7 - i) * 1000, baseline: 0.5, best: { candidate: { matrix: "model.h.1.mlp.weight", blocks: 2, rate: 0.9 }, accuracy: 0.75, loss: 1 } }]),
    ["phase", { phase: "evaluate", status: "finished", index: 4, of: 5, shards: 8, reused: 0, ms: 8000 }],
  ];

  it("rewrites one line on a TTY with phase, shards, ETA and the best so far", () => {
    let out = "";
    const d = new ProgressDisplay({ isTTY: true, columns: 200, write: (t) => ((out += t), true) });
    for (const [e, data] of events) d.onEvent("c2i", e, data);
    d.end();
    expect(out).toContain("\r\x1b[2Kc2i [4/5] evaluate  3/8 shards  ETA 5s  best h.1.mlp K=2 ρ=0.9 75.0% vs baseline 50.0%");
    expect(out.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("prints a few plain lines when not on a TTY", () => {
    const lines: string[] = [];
    const d = new ProgressDisplay({ isTTY: false, write: (t) => (lines.push(t), true) });
    for (const [e, data] of events) d.onEvent("c2i", e, data);
    expect(lines.every((l) => !l.includes("\r"))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.at(-1)).toBe("c2i [4/5] evaluate done in 8s (8 shards)\n");
  });
});
