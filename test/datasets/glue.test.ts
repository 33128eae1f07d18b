// CoLA and SST-2 from GLUE's TSV files: LASER-style prompts, labels, refusal of unlabelled test files, errors naming file and line.
import { afterAll, describe, expect, it } from "vitest";
import { cola } from "../../agent/tasks/datasets/cola.ts";
import { sst2 } from "../../agent/tasks/datasets/sst2.ts";
import { failure, nativeFiles } from "./fixtures.ts";

const files = nativeFiles("glue");
afterAll(() => files.remove());

describe("cola loader", () => {
  it("reads the 4-column headerless TSV: prompt around the sentence, label 1 acceptable", () => {
    const path = files.write("dev.tsv", "gj04\t1\t\tThe cat slept on the mat.\ngj04\t0\t*\tThe cat slept the mat on.\n\ncl\t1\t\tWe left.\n");
    const d = cola.load(path);
    expect(d.rows).toHaveLength(3);
    expect(d.rows[1]).toEqual({
      prompt: "Consider the following sentence: The cat slept the mat on. Is this sentence grammatically acceptable or unacceptable? This sentence is",
      choices: [" unacceptable", " acceptable"],
      label: 0,
      line: 2,
    });
    expect(cola.load(path.replace(/\/dev\.tsv$/, "")).rows[0]!.line).toBe(1);
  });

  it("names file and line for a wrong column count, a bad label, an empty sentence; refuses test.tsv", () => {
    expect(failure(() => cola.load(files.write("dev.tsv", "gj04\t1\t\tok.\ngj04\t1\tonly three\n"))).message).toMatch(/dev\.tsv:2: expected 4 tab-separated columns/);
    expect(failure(() => cola.load(files.write("dev.tsv", "gj04\tyes\t\tok.\n"))).message).toMatch(/dev\.tsv:1: label must be 0 or 1, got "yes"/);
    expect(failure(() => cola.load(files.write("dev.tsv", "gj04\t1\t\t  \n"))).message).toMatch(/dev\.tsv:1: the sentence \(column 4\) is empty/);
    expect(failure(() => cola.load(files.write("test.tsv", "index\tsentence\n0\tHi.\n"))).message).toMatch(/test\.tsv:1: this is a GLUE test file/);
    expect(failure(() => cola.load(files.write("dev.tsv", ""))).message).toMatch(/no rows/);
  });
});

describe("sst2 loader", () => {
  it("reads the headed TSV: prompt around the sentence, label 1 positive", () => {
    const path = files.write("dev.tsv", "sentence\tlabel\nit 's a charming journey . \t1\nflat and dull \t0\n");
    const d = sst2.load(path);
    expect(d.rows).toHaveLength(2);
    expect(d.rows[0]).toEqual({
      prompt: "Consider the following review: it 's a charming journey . Is the sentiment of this review positive or negative? The sentiment is",
      choices: [" negative", " positive"],
      label: 1,
      line: 2,
    });
  });

  it("names file and line for a missing header, a bad label, a missing column; refuses a header-only file", () => {
    expect(failure(() => sst2.load(files.write("dev.tsv", "good\t1\n"))).message).toMatch(/dev\.tsv:1: expected the SST-2 header/);
    expect(failure(() => sst2.load(files.write("dev.tsv", "sentence\tlabel\ngood\t2\n"))).message).toMatch(/dev\.tsv:2: label must be 0 or 1, got "2"/);
    expect(failure(() => sst2.load(files.write("dev.tsv", "sentence\tlabel\ngood\n"))).message).toMatch(/dev\.tsv:2: expected 2 tab-separated columns/);
    expect(failure(() => sst2.load(files.write("dev.tsv", "sentence\tlabel\n"))).message).toMatch(/no rows \(the file has only a header\)/);
  });
});
