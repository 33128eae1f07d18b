// ROME's known facts (known_1000.json): one row per fact, its prompt answered by " <attribute>", errors naming file and record.
import { afterAll, describe, expect, it } from "vitest";
import { knownFacts } from "../../agent/tasks/datasets/known-facts.ts";
import { failure, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("known-facts");
afterAll(() => files.remove());

const fact = (id: number, subject: string, template: string, prompt: string, attribute: string) => ({
  known_id: id, subject, attribute, template, prediction: ` ${attribute} and more`, prompt, relation_id: "P30",
});

describe("known-facts loader", () => {
  it("answers each fact's prompt with its attribute, in file order", () => {
    const path = files.write("known_1000.json", JSON.stringify([
      fact(0, "Vinson Massif", "{} is located in the continent", "Vinson Massif is located in the continent of", "Antarctica"),
      fact(1, "Beats Music", "{} is owned by", "Beats Music is owned by", " Apple "),
    ]));
    const d = knownFacts.load(path);
    expect(d.protocol).toBe("answer");
    expect(d.rows).toEqual([
      { prompt: "Vinson Massif is located in the continent of", answer: " Antarctica", line: 1 },
      { prompt: "Beats Music is owned by", answer: " Apple", line: 2 },
    ]);
  });

  it("reads known_1000.json from a directory and renders a template with the subject and relation", () => {
    const path = files.write("known_1000.json", JSON.stringify([fact(0, "Beats Music", "{} is owned by", "Beats Music is owned by", "Apple")]));
    const d = knownFacts.load(path.replace(/\/known_1000\.json$/, ""), { template: "[{relation}] {subject}: {prompt}" });
    expect(d.rows[0]!.prompt).toBe("[P30] Beats Music: Beats Music is owned by");
  });

  it("names file and record for a missing or empty attribute and a record that is not an object", () => {
    const missing = files.write("known_1000.json", JSON.stringify([{ ...fact(0, "A", "{} is", "A is", "B"), attribute: undefined }]));
    expect(failure(() => knownFacts.load(missing)).message).toMatch(/known_1000\.json record 1: missing field "attribute"/);
    const empty = files.write("known_1000.json", JSON.stringify([fact(0, "A", "{} is", "A is", "B"), fact(1, "C", "{} is", "C is", " ")]));
    expect(failure(() => knownFacts.load(empty)).message).toMatch(/known_1000\.json record 2: field "attribute" is empty/);
    const notObject = files.write("known_1000.json", JSON.stringify(["A is B"]));
    expect(failure(() => knownFacts.load(notObject)).code).toBe("DATASET_INVALID");
  });
});
