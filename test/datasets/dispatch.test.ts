// `name:path` references reach the named loaders with their template override; plain paths stay generic JSONL.
import { afterAll, describe, expect, it } from "vitest";
import { builtinDatasetLoaders, loadDataset } from "../../agent/tasks/dataset.ts";
import { namedDatasets } from "../../agent/tasks/datasets/registry.ts";
import { compileTemplate } from "../../agent/tasks/datasets/template.ts";
import { failure, jsonl, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("dispatch");
afterAll(() => files.remove());

describe("dataset references", () => {
  it("registers every named dataset as a loader next to jsonl", () => {
    expect(Object.keys(builtinDatasetLoaders).sort()).toEqual(["jsonl", ...namedDatasets.map((d) => d.name)].sort());
    expect(namedDatasets.map((d) => d.name)).toEqual([
      "counterfact", "known-facts", "hotpotqa", "fever", "bios-gender", "bios-profession", "truthfulqa", "bigbench-epistemic", "bigbench-wikidata", "cola", "sst2",
    ]);
  });

  it("loads fever:<dir> with a template override, and a plain path as JSONL", () => {
    const path = files.write("paper_dev.jsonl", jsonl([{ id: 1, label: "REFUTES", claim: "Snow is hot", evidence: [] }]));
    const d = loadDataset(`fever:${path.replace(/\/[^/]+$/, "")}`, undefined, { template: "Claim: {claim}. True or false? It is" });
    expect(d.rows[0]).toMatchObject({ prompt: "Claim: Snow is hot. True or false? It is", label: 0 });
    const plain = files.write("rows.jsonl", jsonl([{ prompt: "2+2=", answer: "4" }]));
    expect(loadDataset(plain).rows).toEqual([{ prompt: "2+2=", answer: "4", line: 1 }]);
  });

  it("refuses a template for a generic JSONL file, and names the known loaders for an unknown one", () => {
    const plain = files.write("rows.jsonl", jsonl([{ prompt: "2+2=", answer: "4" }]));
    expect(failure(() => loadDataset(plain, undefined, { template: "{prompt}" })).message).toMatch(/applies to named datasets/);
    expect(failure(() => loadDataset(`squad:${plain}`)).message).toMatch(/unknown dataset loader "squad".*counterfact, known-facts, hotpotqa/);
  });

  it("names the file a missing native file or directory should hold", () => {
    const e = failure(() => loadDataset(`hotpotqa:${files.dir}`));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toMatch(/holds none of hotpot_train_v1\.1\.json, hotpot_dev_fullwiki_v1\.json/);
  });
});

describe("prompt templates", () => {
  it("substitutes placeholders and keeps doubled braces literal", () => {
    const render = compileTemplate("{{x}} {a}-{ b }!", ["a", "b"], "t");
    expect(render({ a: "1", b: "2" })).toBe("{x} 1-2!");
  });

  it("rejects unknown placeholders and unbalanced braces with the dataset's name", () => {
    expect(failure(() => compileTemplate("{c}", ["a"], "cola")).message).toMatch(/cola template "\{c\}" uses \{c\}.*placeholders are \{a\}/);
    expect(failure(() => compileTemplate("x {a", ["a"], "cola")).message).toMatch(/never closed/);
    expect(failure(() => compileTemplate("x }", ["a"], "cola")).message).toMatch(/unmatched "\}"/);
  });

  it("every default template uses only its dataset's placeholders", () => {
    for (const d of namedDatasets) expect(() => compileTemplate(d.template, Object.keys(d.placeholders), d.name)).not.toThrow();
  });
});
