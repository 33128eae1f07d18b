// HotPotQA from its JSON releases: LASER's "… The answer is" prompt, train-then-dev order, errors naming file and record.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hotpotqa } from "../../agent/tasks/datasets/hotpotqa.ts";
import { failure, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("hotpotqa");
afterAll(() => files.remove());

const record = (question: unknown, answer: unknown) => ({ _id: "5a8", question, answer, type: "bridge", level: "easy", supporting_facts: [], context: [] });

describe("hotpotqa loader", () => {
  it("closes unterminated questions with ? and answers with a leading space", () => {
    const path = files.write("hotpot_dev_fullwiki_v1.json", JSON.stringify([record("Which river runs through Lyon", " Rhône "), record("Who wrote it?", "Ann"), record("Name it.", "yes")]));
    const d = hotpotqa.load(path);
    expect(d.rows).toHaveLength(3);
    expect(d.rows[0]).toEqual({ prompt: "Which river runs through Lyon? The answer is", answer: " Rhône", line: 1 });
    expect(d.rows[1]!.prompt).toBe("Who wrote it? The answer is");
    expect(d.rows[2]!.prompt).toBe("Name it. The answer is");
  });

  it("in a directory takes as many train records as dev has, then dev (LASER's order)", () => {
    const dev = files.write("hotpot_dev_fullwiki_v1.json", JSON.stringify([record("d1?", "a"), record("d2?", "b")]));
    const dir = dev.replace(/\/[^/]+$/, "");
    writeFileSync(join(dir, "hotpot_train_v1.1.json"), JSON.stringify([record("t1?", "x"), record("t2?", "y"), record("t3?", "z")]));
    const d = hotpotqa.load(dir);
    expect(d.rows.map((r) => r.prompt)).toEqual(["t1? The answer is", "t2? The answer is", "d1? The answer is", "d2? The answer is"]);
  });

  it("names file and record for a missing answer, a non-string question and an empty answer", () => {
    const missing = files.write("hotpot_dev_fullwiki_v1.json", JSON.stringify([record("q?", "a"), { question: "q?" }]));
    expect(failure(() => hotpotqa.load(missing)).message).toMatch(/hotpot_dev_fullwiki_v1\.json record 2: missing field "answer"/);
    const wrong = files.write("hotpot_dev_fullwiki_v1.json", JSON.stringify([record(7, "a")]));
    expect(failure(() => hotpotqa.load(wrong)).message).toMatch(/record 1: field "question" must be a string, got number 7/);
    const empty = files.write("hotpot_dev_fullwiki_v1.json", JSON.stringify([record("q?", "  ")]));
    expect(failure(() => hotpotqa.load(empty)).message).toMatch(/record 1: field "answer" is empty/);
  });

  it("refuses a template with a placeholder the dataset does not have, before reading rows", () => {
    const path = files.write("hotpot_dev_fullwiki_v1.json", JSON.stringify([record("q?", "a")]));
    const e = failure(() => hotpotqa.load(path, { template: "{claim} The answer is" }));
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toMatch(/uses \{claim\}.*placeholders are \{question\}, \{query\}/);
  });
});
