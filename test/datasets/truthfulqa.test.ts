// TruthfulQA as LASER's pointwise true/false pairs, from mc_task.json or Hugging Face rows; errors naming file and record.
import { afterAll, describe, expect, it } from "vitest";
import { truthfulqa } from "../../agent/tasks/datasets/truthfulqa.ts";
import { failure, jsonl, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("truthfulqa");
afterAll(() => files.remove());

describe("truthfulqa loader", () => {
  it("makes one row per mc2 answer from mc_task.json, with LASER's statement prompt", () => {
    const path = files.write("mc_task.json", JSON.stringify([
      { question: "What colour is the sky?", mc1_targets: { Blue: 1, Green: 0 }, mc2_targets: { "It is blue": 1, "It is green.": 0, "Blue": 1 } },
      { question: "Is water wet?", mc1_targets: { Yes: 1 }, mc2_targets: { Yes: 1, No: 0 } },
    ]));
    const d = truthfulqa.load(path);
    expect(d.rows).toHaveLength(5);
    expect(d.rows[0]).toEqual({
      prompt: "What colour is the sky? It is blue.Is this statement true or false? This statement is",
      choices: [" false", " true"],
      label: 1,
      line: 1,
    });
    expect(d.rows[1]!.prompt).toBe("What colour is the sky? It is green.Is this statement true or false? This statement is");
    expect(d.rows.map((r) => (r as { label: number }).label)).toEqual([1, 0, 1, 1, 0]);
  });

  it("reads Hugging Face multiple_choice rows from validation.jsonl in a directory", () => {
    const path = files.write("validation.jsonl", jsonl([{ question: "Q?", mc1_targets: { choices: ["a"], labels: [1] }, mc2_targets: { choices: ["a", "b"], labels: [0, 1] } }]));
    const d = truthfulqa.load(path.replace(/\/validation\.jsonl$/, ""), { template: "{question} {answer}" });
    expect(d.rows.map((r) => [r.prompt, (r as { label: number }).label])).toEqual([["Q? a", 0], ["Q? b", 1]]);
  });

  it("names file and record for missing targets, a bad label, mismatched arrays and no true answer", () => {
    const missing = files.write("mc_task.json", JSON.stringify([{ question: "Q?" }]));
    expect(failure(() => truthfulqa.load(missing)).message).toMatch(/mc_task\.json record 1: missing field "mc2_targets"/);
    const label = files.write("mc_task.json", JSON.stringify([{ question: "Q?", mc2_targets: { a: 1, b: "no" } }]));
    expect(failure(() => truthfulqa.load(label)).message).toMatch(/record 1 mc2_targets: label of answer 2 must be 1 \(true\) or 0 \(false\)/);
    const arrays = files.write("validation.jsonl", jsonl([{ question: "Q?", mc2_targets: { choices: ["a", "b"], labels: [1] } }]));
    expect(failure(() => truthfulqa.load(arrays)).message).toMatch(/validation\.jsonl:1 mc2_targets: 2 choices but 1 labels/);
    const noTrue = files.write("mc_task.json", JSON.stringify([{ question: "Q?", mc2_targets: { a: 0 } }]));
    expect(failure(() => truthfulqa.load(noTrue)).message).toMatch(/has no true answer/);
  });
});
