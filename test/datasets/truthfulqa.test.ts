// TruthfulQA as LASER's pointwise true/false pairs, from mc_task.json, Hugging Face rows or TruthfulQA.csv; errors naming file and record.
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

  it("reads TruthfulQA.csv (with its BOM): correct answers true, then incorrect false, split at \";\", empty answers skipped", () => {
    const csv = [
      "\ufeffType,Category,Question,Best Answer,Correct Answers,Incorrect Answers,Source",
      'Adversarial,Misconceptions,What happens if you eat seeds?,Nothing,"Nothing happens; They pass through, unharmed","You grow a tree; You die;",https://x',
      'Adversarial,Misc,"Is ""this"" quoted?",Yes,Yes,No,https://y',
    ].join("\r\n");
    const d = truthfulqa.load(files.write("TruthfulQA.csv", csv));
    expect(d.rows.map((r) => [r.prompt.replace("Is this statement true or false? This statement is", ""), (r as { label: number }).label, r.line])).toEqual([
      ["What happens if you eat seeds? Nothing happens.", 1, 2],
      ["What happens if you eat seeds? They pass through, unharmed.", 1, 2],
      ["What happens if you eat seeds? You grow a tree.", 0, 2],
      ["What happens if you eat seeds? You die.", 0, 2],
      ['Is "this" quoted? Yes.', 1, 3],
      ['Is "this" quoted? No.', 0, 3],
    ]);
  });

  it("skips an empty mc2 answer (the 2025-01 mc_task.json has them) but still requires a true one; a BOM is ignored", () => {
    const path = files.write("mc_task.json", "\ufeff" + JSON.stringify([{ question: "Q?", mc2_targets: { a: 1, "": 1, b: 0 } }]));
    expect(truthfulqa.load(path).rows.map((r) => (r as { label: number }).label)).toEqual([1, 0]);
    const onlyEmpty = files.write("mc_task.json", JSON.stringify([{ question: "Q?", mc2_targets: { "": 1, b: 0 } }]));
    expect(failure(() => truthfulqa.load(onlyEmpty)).message).toMatch(/record 1 mc2_targets: has no true answer/);
  });

  it("names file and line for a CSV row with a missing column, a wrong cell count or an unclosed quote", () => {
    const header = "Question,Correct Answers,Incorrect Answers\n";
    const missing = files.write("TruthfulQA.csv", "Question,Correct Answers\nQ?,a\n");
    expect(failure(() => truthfulqa.load(missing)).message).toMatch(/TruthfulQA\.csv:2: missing column "Incorrect Answers"/);
    const cells = files.write("TruthfulQA.csv", header + "Q?,a,b\nQ2?,a\n");
    expect(failure(() => truthfulqa.load(cells)).message).toMatch(/TruthfulQA\.csv:3: expected 3 comma-separated columns .* got 2/);
    const quote = files.write("TruthfulQA.csv", header + "Q?,a,b\n\"Q2?,a,b\n");
    expect(failure(() => truthfulqa.load(quote)).message).toMatch(/TruthfulQA\.csv:3: a quoted field is never closed/);
    const noTrue = files.write("TruthfulQA.csv", header + "Q?,;,b\n");
    expect(failure(() => truthfulqa.load(noTrue)).message).toMatch(/TruthfulQA\.csv:2: has no true answer/);
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
