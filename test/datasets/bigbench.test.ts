// BIG-bench Epistemic Reasoning and WikidataQA from tasksource rows or task.json, scored as LASER; errors naming file and line.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bigbenchEpistemic } from "../../agent/tasks/datasets/bigbench-epistemic.ts";
import { bigbenchWikidata } from "../../agent/tasks/datasets/bigbench-wikidata.ts";
import { failure, jsonl, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("bigbench");
afterAll(() => files.remove());

const row = (inputs: unknown, targets: unknown, idx = 0) => ({ idx, inputs, targets, multiple_choice_targets: ["entailment", "non-entailment"], multiple_choice_scores: [1, 0] });
const premise = (n: number) => `Premise: Ann thinks it rains ${n}.\nHypothesis: It rains ${n}.\nRelation:`;

describe("bigbench-epistemic loader", () => {
  it("reads validation then train rows, prompting with the inputs and choosing between the two relations", () => {
    const val = files.write("validation.jsonl", jsonl([row(premise(1), ["non-entailment"])]));
    const dir = val.replace(/\/[^/]+$/, "");
    writeFileSync(join(dir, "train.jsonl"), jsonl([row(premise(2), ["entailment"]), row(premise(3), ["non-entailment"])]));
    const d = bigbenchEpistemic.load(dir);
    expect(d.rows).toHaveLength(3);
    expect(d.rows[0]).toEqual({ prompt: premise(1), choices: [" entailment", " non-entailment"], label: 1, line: 1 });
    expect(d.rows.map((r) => (r as { label: number }).label)).toEqual([1, 0, 1]);
  });

  it("reads a BIG-bench task.json, formatting inputs with its prefixes and the target with the top score", () => {
    const path = files.write("task.json", JSON.stringify({
      name: "epistemic_reasoning",
      task_prefix: "Decide.\n",
      example_input_prefix: "",
      example_output_prefix: "\nRelation: ",
      examples: [{ input: "Premise: a\nHypothesis: b", target_scores: { entailment: 0, "non-entailment": 1 } }],
    }));
    expect(bigbenchEpistemic.load(path).rows[0]).toMatchObject({ prompt: "Decide.\nPremise: a\nHypothesis: b\nRelation:", label: 1, line: 1 });
  });

  it("names file and line for a target outside the two relations, missing inputs and non-array targets", () => {
    const other = files.write("validation.jsonl", jsonl([row(premise(1), ["maybe"])]));
    expect(failure(() => bigbenchEpistemic.load(other)).message).toMatch(/validation\.jsonl:1: "targets" must be exactly one of "entailment", "non-entailment", got \["maybe"\]/);
    const missing = files.write("validation.jsonl", jsonl([{ targets: ["entailment"] }]));
    expect(failure(() => bigbenchEpistemic.load(missing)).message).toMatch(/validation\.jsonl:1: missing field "inputs"/);
    const notArray = files.write("train.jsonl", jsonl([row(premise(1), "entailment")]));
    expect(failure(() => bigbenchEpistemic.load(notArray)).message).toMatch(/train\.jsonl:1: field "targets" must be an array of strings/);
  });
});

describe("bigbench-wikidata loader", () => {
  it("keeps examples with exactly one target and answers it with a leading space", () => {
    const path = files.write("validation.jsonl", jsonl([
      row("The capital of Peru is ", ["Lima "]),
      row("Rivers of France include", ["Loire", "Seine"]),
      row("The author of Emma is", ["Jane Austen"]),
    ]));
    const d = bigbenchWikidata.load(path);
    expect(d.rows).toHaveLength(2);
    expect(d.rows[0]).toEqual({ prompt: "The capital of Peru is", answer: " Lima", line: 1 });
    expect(d.rows[1]).toEqual({ prompt: "The author of Emma is", answer: " Jane Austen", line: 3 });
  });

  it("reads {context, continuation} rows (llm-foundry's derived qa_wikidata) as inputs and their one target", () => {
    const path = files.write("bigbench_qa_wikidata.jsonl", jsonl([
      { context: "The native language of Daniel Schneidermann is", continuation: "French" },
      { context: "The country of Novosibirsk is ", continuation: " Russia" },
    ]));
    expect(bigbenchWikidata.load(path).rows).toEqual([
      { prompt: "The native language of Daniel Schneidermann is", answer: " French", line: 1 },
      { prompt: "The country of Novosibirsk is", answer: " Russia", line: 2 },
    ]);
    const missing = files.write("bigbench_qa_wikidata.jsonl", jsonl([{ context: "a", continuation: "b" }, { context: "The capital of Peru is" }]));
    expect(failure(() => bigbenchWikidata.load(missing)).message).toMatch(/bigbench_qa_wikidata\.jsonl:2: missing field "continuation"/);
  });

  it("refuses a file whose examples all have several targets, and an empty target", () => {
    const several = files.write("validation.jsonl", jsonl([row("x", ["a", "b"])]));
    expect(failure(() => bigbenchWikidata.load(several)).message).toMatch(/no rows \(no example has exactly one target\)/);
    const empty = files.write("validation.jsonl", jsonl([row("x", [" "])]));
    expect(failure(() => bigbenchWikidata.load(empty)).message).toMatch(/validation\.jsonl:1: field "targets"\[0\] is empty/);
  });
});
