// FEVER from fever.ai's JSONL: LASER's claim prompt, true/false choices, consistent-unique filtering, errors naming file and line.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fever } from "../../agent/tasks/datasets/fever.ts";
import { failure, jsonl, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("fever");
afterAll(() => files.remove());

const claim = (id: number, label: unknown, text: unknown) => ({ id, verifiable: "VERIFIABLE", label, claim: text, evidence: [[[1, 2, "Page", 0]]] });

describe("fever loader", () => {
  it("keeps SUPPORTS/REFUTES claims with one label, once each, and prompts as LASER", () => {
    const path = files.write("paper_dev.jsonl", jsonl([
      claim(1, "SUPPORTS", "Lyon is in France"),
      claim(2, "NOT ENOUGH INFO", "Lyon has a bakery."),
      claim(3, "REFUTES", "Paris is in Peru."),
      claim(4, "SUPPORTS", "Lyon is in France"),
      claim(5, "SUPPORTS", "Rome is old."),
      claim(6, "REFUTES", "Rome is old."),
    ]));
    const d = fever.load(path);
    expect(d.protocol).toBe("choice");
    expect(d.rows).toHaveLength(2);
    expect(d.rows[0]).toEqual({
      prompt: "Consider the following claim: Lyon is in France. Is this claim true or false. The claim is",
      choices: [" false", " true"],
      label: 1,
      line: 1,
    });
    expect(d.rows[1]).toMatchObject({ prompt: "Consider the following claim: Paris is in Peru. Is this claim true or false. The claim is", label: 0, line: 3 });
  });

  it("reads paper_dev then paper_test from a directory, and accepts 0/1 labels", () => {
    const dev = files.write("paper_dev.jsonl", jsonl([claim(1, 1, "A is B.")]));
    const dir = dev.replace(/\/[^/]+$/, "");
    writeFileSync(join(dir, "paper_test.jsonl"), jsonl([claim(2, 0, "C is D.")]));
    expect(fever.load(dir).rows.map((r) => [r.prompt.slice(30, 37), (r as { label: number }).label])).toEqual([["A is B.", 1], ["C is D.", 0]]);
  });

  it("names file and line for a missing claim, an unknown label, bad JSON and an empty file", () => {
    const missing = files.write("paper_dev.jsonl", jsonl([claim(1, "SUPPORTS", "ok."), { id: 2, label: "REFUTES" }]));
    expect(failure(() => fever.load(missing)).message).toMatch(/paper_dev\.jsonl:2: missing field "claim"/);
    const label = files.write("paper_dev.jsonl", jsonl([claim(1, "MAYBE", "x.")]));
    expect(failure(() => fever.load(label)).message).toMatch(/paper_dev\.jsonl:1: field "label" must be "SUPPORTS", "REFUTES", "NOT ENOUGH INFO", 1 or 0, got "MAYBE"/);
    const deep = files.write("paper_dev.jsonl", `{"id":1,"label":${"[".repeat(100_000)}${"]".repeat(100_000)},"claim":{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}}\n`);
    expect(failure(() => fever.load(deep)).message).toMatch(/paper_dev\.jsonl:1: field "claim" must be a string, got object \{"a":\[\[\[/);
    const broken = files.write("paper_dev.jsonl", `${JSON.stringify(claim(1, "SUPPORTS", "x."))}\n{"id": 2,\n`);
    expect(failure(() => fever.load(broken)).message).toMatch(/paper_dev\.jsonl:2: not valid JSON/);
    const empty = files.write("paper_dev.jsonl", "\n");
    const e = failure(() => fever.load(empty));
    expect(e.code).toBe("DATASET_INVALID");
    expect(e.message).toContain(`${empty}: no rows`);
  });
});
