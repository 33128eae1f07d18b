// Sweep specs: the grid and listed cells, defaults merged field by field, names, and every bad input named.
import { describe, expect, it } from "vitest";
import { parseSweepFile, planSweep, slug } from "../../coordinator/sweep/spec.ts";
import { summarizeSweep, type CellOutcome } from "../../coordinator/sweep/summary.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";

describe("sweep specs", () => {
  it("crosses models and datasets (models outer), then adds listed cells, each a validated job spec", () => {
    const cells = planSweep({ models: ["/m/gpt2", "hf:org/llama@main"], datasets: ["fever:/d/paper_dev.jsonl", "/d/cloze.jsonl"], cells: [{ name: "extra", model: "/m/gpt2", dataset: "/d/x.jsonl", strategy: "laser" }] });
    expect(cells.map((c) => c.name)).toEqual(["gpt2--fever-paper_dev", "gpt2--cloze", "llama_main--fever-paper_dev", "llama_main--cloze", "extra"]);
    expect(cells[4]!.spec.strategy).toBe("laser");
    expect(cells[0]!.spec.settings.adaptSize).toBe(100);
  });

  it("merges command-line defaults, file defaults and a cell's own fields, settings field by field", () => {
    const input = parseSweepFile(`
defaults:
  settings: { topM: 3, rates: [0.5, 0.9] }
  factorization: asvd
cells:
  - { name: a, model: m, dataset: d }
  - { name: b, model: m, dataset: d, settings: { rates: [0.99] }, factorization: svd, task: { template: "Q: {question}" } }
`, "s.yaml");
    const [a, b] = planSweep(input, { settings: { seed: 7, topM: 1 } });
    expect(a!.spec.settings).toMatchObject({ seed: 7, topM: 3, rates: [0.5, 0.9] });
    expect(a!.spec.factorization).toBe("asvd");
    expect(b!.spec.settings).toMatchObject({ seed: 7, topM: 3, rates: [0.99] });
    expect(b!.spec.factorization).toBeUndefined();
    expect(b!.spec.task).toEqual({ template: "Q: {question}" });
  });

  it("reads JSON as well as YAML", () => {
    expect(parseSweepFile('{"models": ["m"], "datasets": ["d"]}', "s.json")).toEqual({ models: ["m"], datasets: ["d"] });
  });

  it("refuses bad sweep files with the file and the field", () => {
    const bad = (text: string) => () => planSweep(parseSweepFile(text, "s.yaml"), {}, "s.yaml");
    expect(bad("models: [m]\ncelles: []")).toThrow(/s\.yaml: unknown field "celles"/);
    expect(bad("models: [m]")).toThrow(/models and datasets go together/);
    expect(bad("cells: [{ model: m }]")).toThrow(/cell 1: needs a model and a dataset/);
    expect(bad("cells: [{ name: x, model: m, dataset: d }, { name: x, model: m, dataset: e }]")).toThrow(/"x" is used twice/);
    expect(bad("cells: [{ name: ../up, model: m, dataset: d }]")).toThrow(/must be a folder name/);
    expect(bad("cells: [{ model: m, dataset: d, settings: { rates: [2] } }]")).toThrow(/cell "m--d".*rates/);
    expect(bad("cells: [{ model: m, dataset: d, strategy: nope }]")).toThrow(/unknown strategy "nope"/);
    expect(bad("cells: [{ model: m, dataset: d, colour: red }]")).toThrow(/cells\[0\]: unknown field "colour"/);
    expect(bad("models: [m]\ndatasets: [d]\n  - : :")).toThrow(/not valid JSON or YAML/);
    expect(bad("cells: []")).toThrow(/no cells/);
  });

  it("tells apart references that end alike by their parent folders", () => {
    const cells = planSweep({ models: ["/r/demo-2/model", "/r/demo-3/model"], datasets: ["/d/a/task.jsonl", "/d/b/task.jsonl"] });
    expect(cells.map((c) => c.name)).toEqual(["demo-2_model--a_task", "demo-2_model--b_task", "demo-3_model--a_task", "demo-3_model--b_task"]);
  });

  it("names cells after their references, safe as folder names", () => {
    expect(slug("/data/models/gpt-j-6b/")).toBe("gpt-j-6b");
    expect(slug("counterfact:/data/counterfact.json")).toBe("counterfact-counterfact");
    expect(slug("hf:EleutherAI/pythia-160m@v0")).toBe("pythia-160m_v0");
  });
});

describe("sweep summary", () => {
  const result = (matrix: string | null, base: number, chosen: number): ResultDocument => ({
    chosen: { candidate: matrix ? { matrix, blocks: 4, rate: 0.9 } : null, selection: { accuracy: chosen }, test: { accuracy: chosen } },
    baseline: { selection: { accuracy: base }, test: { accuracy: base } },
    candidates: matrix ? [{ matrix, blocks: 4, rate: 0.9, layer: 3, kind: "mlp_out" }] : [],
    sets: { test: { n: 50 } },
    totalMs: 2000,
  }) as unknown as ResultDocument;
  const cell = (name: string) => ({ name, input: { model: "m", dataset: name }, spec: { model: "m", dataset: name, strategy: "c2i" } }) as unknown as CellOutcome["cell"];

  it("tallies which matrix kinds and block counts win, with their mean test gain", () => {
    const s = summarizeSweep([
      { cell: cell("a"), state: "succeeded", result: result("h.3.mlp.w", 0.5, 0.7), reused: false },
      { cell: cell("b"), state: "succeeded", result: result("h.3.mlp.w", 0.6, 0.7), reused: true },
      { cell: cell("c"), state: "succeeded", result: result(null, 0.6, 0.6), reused: false },
      { cell: cell("d"), state: "failed", error: "DATASET_INVALID: d:3 …", reused: false },
    ]);
    expect(s.states).toEqual({ succeeded: 3, failed: 1, cancelled: 0, pending: 0 });
    expect(s.wins.byKind.mlp_out!.cells).toBe(2);
    expect(s.wins.byKind.mlp_out!.meanGain).toBeCloseTo(0.15, 12);
    expect(s.wins.byBlocks["4"]!.cells).toBe(2);
    expect(s.wins.noEdit).toBe(1);
    expect(s.cells.map((c) => [c.name, c.edit?.kind ?? null, c.report ?? null])).toEqual([["a", "mlp_out", "a/report.html"], ["b", "mlp_out", "b/report.html"], ["c", null, "c/report.html"], ["d", null, null]]);
  });
});
