// Bias in Bios (LabHC rows): gender and profession prompts as LASER, profession filter, errors naming file and line.
import { afterAll, describe, expect, it } from "vitest";
import { biosGender } from "../../agent/tasks/datasets/bios-gender.ts";
import { biosProfession } from "../../agent/tasks/datasets/bios-profession.ts";
import { failure, jsonl, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("bios");
afterAll(() => files.remove());

const bio = (hard_text: unknown, profession: unknown, gender: unknown) => ({ hard_text, profession, gender });
// 21 professor, 11 journalist, 0 accountant (not among LASER's eight), 26 teacher
const rows = [bio("She teaches algebra at a college", 21, 1), bio("He covers city hall for a paper.", 11, 0), bio("He audits books.", 0, 0), bio("She runs a class?", 26, 1)];

describe("bias in bios loaders", () => {
  it("gender: every row, LASER's prompt, label 0 male / 1 female", () => {
    const path = files.write("dev.jsonl", jsonl(rows));
    const d = biosGender.load(path);
    expect(d.rows).toHaveLength(4);
    expect(d.rows[0]).toEqual({
      prompt: "Consider the following text: She teaches algebra at a college. Is the person in this text a male or female? The gender of this person is",
      choices: [" male", " female"],
      label: 1,
      line: 1,
    });
    expect(d.rows.map((r) => (r as { label: number }).label)).toEqual([1, 0, 0, 1]);
  });

  it("profession: only LASER's eight professions, labelled by their index in its list", () => {
    const d = biosProfession.load(files.write("dev.jsonl", jsonl(rows)).replace(/\/dev\.jsonl$/, ""));
    expect(d.rows).toHaveLength(3);
    expect(d.rows[1]).toEqual({
      prompt: "Consider the following text: He covers city hall for a paper. What is the profession of the person in this text? The profession of this person is",
      choices: [" journalist", " poet", " composer", " model", " teacher", " architect", " painter", " professor"],
      label: 0,
      line: 2,
    });
    expect(d.rows.map((r) => (r as { label: number }).label)).toEqual([7, 0, 4]);
  });

  it("names file and line for a missing text, an out-of-range gender and a non-integer profession", () => {
    const missing = files.write("dev.jsonl", jsonl([rows[0], { profession: 1, gender: 0 }]));
    expect(failure(() => biosGender.load(missing)).message).toMatch(/dev\.jsonl:2: missing field "hard_text"/);
    const gender = files.write("dev.jsonl", jsonl([bio("x.", 1, 2)]));
    expect(failure(() => biosGender.load(gender)).message).toMatch(/dev\.jsonl:1: field "gender" must be one of 0, 1, got 2/);
    const prof = files.write("dev.jsonl", jsonl([bio("x.", "poet", 0)]));
    expect(failure(() => biosProfession.load(prof)).message).toMatch(/dev\.jsonl:1: field "profession" must be an integer, got string "poet"/);
  });

  it("says why a file with none of LASER's professions has no rows", () => {
    const path = files.write("dev.jsonl", jsonl([bio("He audits books.", 0, 0)]));
    expect(failure(() => biosProfession.load(path)).message).toMatch(/no rows \(no row has one of LASER's professions/);
  });
});
