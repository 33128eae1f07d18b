// CounterFact from ROME's counterfact.json: three rows per fact, LASER's " <true target>" answer, errors naming file and record.
import { afterAll, describe, expect, it } from "vitest";
import { counterfact } from "../../agent/tasks/datasets/counterfact.ts";
import { failure, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("counterfact");
afterAll(() => files.remove());

const fact = (subject: string, prompt: string, truth: string, paraphrases: unknown = [`Some text. ${subject} speaks`, `${subject} grew up speaking`]) => ({
  case_id: 0,
  pararel_idx: 0,
  requested_rewrite: { prompt, relation_id: "P103", subject, target_new: { str: "Klingon", id: "Q1" }, target_true: { str: truth, id: "Q2" } },
  paraphrase_prompts: paraphrases,
  neighborhood_prompts: [],
  generation_prompts: [],
});

describe("counterfact loader", () => {
  it("turns each fact into its prompt and both paraphrases, answered by the true target with a leading space", () => {
    const path = files.write("counterfact.json", JSON.stringify([fact("Ada Byron", "The mother tongue of {} is", "English"), fact("Pierre Curie", "{} was a native speaker of", "French")]));
    const d = counterfact.load(path);
    expect(d.protocol).toBe("answer");
    expect(d.rows).toHaveLength(6);
    expect(d.rows[0]).toEqual({ prompt: "The mother tongue of Ada Byron is", answer: " English", line: 1 });
    expect(d.rows[4]).toEqual({ prompt: "Some text. Pierre Curie speaks", answer: " French", line: 2 });
  });

  it("reads counterfact.json from a directory and applies an overriding template", () => {
    const path = files.write("counterfact.json", JSON.stringify([fact("Ada Byron", "The mother tongue of {} is", "English")]));
    const d = counterfact.load(path.replace(/\/counterfact\.json$/, ""), { template: "Q: {question}" });
    expect(d.rows.map((r) => r.prompt)).toEqual(["Q: The mother tongue of Ada Byron is", "Q: Some text. Ada Byron speaks", "Q: Ada Byron grew up speaking"]);
  });

  it("names the file and record of a missing field, a wrong type, and a prompt without {}", () => {
    const bad = fact("Ada", "The tongue of {} is", "English") as Record<string, unknown>;
    delete (bad.requested_rewrite as Record<string, unknown>).subject;
    const missing = files.write("counterfact.json", JSON.stringify([fact("A", "{} is", "x"), bad]));
    expect(failure(() => counterfact.load(missing)).message).toMatch(/counterfact\.json record 2 requested_rewrite: missing field "subject"/);
    const wrongType = files.write("counterfact.json", JSON.stringify([fact("A", "{} is", "x", "not a list")]));
    const e = failure(() => counterfact.load(wrongType));
    expect(e.code).toBe("DATASET_INVALID");
    expect(e.message).toMatch(/counterfact\.json record 1: field "paraphrase_prompts" must be an array of strings/);
    const noSlot = files.write("counterfact.json", JSON.stringify([fact("A", "The tongue is", "x")]));
    expect(failure(() => counterfact.load(noSlot)).message).toMatch(/record 1: requested_rewrite\.prompt .* has no "\{\}"/);
  });

  it("refuses an empty file and an empty array, naming the file", () => {
    const empty = files.write("counterfact.json", "");
    expect(failure(() => counterfact.load(empty)).message).toContain(`${empty}: the file is empty`);
    const none = files.write("counterfact.json", "[]");
    expect(failure(() => counterfact.load(none)).message).toContain(`${none}: no rows`);
  });
});
