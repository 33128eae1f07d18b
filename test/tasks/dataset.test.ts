// Specification of JSONL datasets: both row shapes, and one clear error (file and line) for each kind of bad input.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { builtinDatasetLoaders, loadDataset, type Dataset } from "../../agent/tasks/dataset.ts";
import { tempDir } from "../tokenizers/fixtures.ts";
import { failure } from "../datasets/fixtures.ts";

const tmp = tempDir("datasets");
afterAll(() => tmp.remove());

let files = 0;
function file(lines: string[]): string {
  const path = join(tmp.dir, `d${files++}.jsonl`);
  writeFileSync(path, lines.join("\n"));
  return path;
}

const answer = (prompt: string, a: string) => JSON.stringify({ prompt, answer: a });
const choice = (prompt: string, choices: unknown, label: unknown) => JSON.stringify({ prompt, choices, label });

describe("loadDataset", () => {
  it("reads prompt/answer rows in file order, skipping blank lines and keeping line numbers", () => {
    const path = file([answer("The capital of France is", " Paris"), "", answer("2+2=", "4"), ""]);
    const d = loadDataset(path);
    expect(d.protocol).toBe("answer");
    expect(d.source).toBe(path);
    expect(d.rows).toEqual([
      { prompt: "The capital of France is", answer: " Paris", line: 1 },
      { prompt: "2+2=", answer: "4", line: 3 },
    ]);
  });

  it("reads prompt/choices/label rows", () => {
    const d = loadDataset(file([choice("Sky is blue?", ["true", "false"], 0), choice("Grass is blue?", ["true", "false", "maybe"], 1)]));
    expect(d.protocol).toBe("choice");
    expect(d.rows[1]).toEqual({ prompt: "Grass is blue?", choices: ["true", "false", "maybe"], label: 1, line: 2 });
  });

  it("dispatches `name:path` references through the loader table, `jsonl:` included", () => {
    const path = file([answer("a", "b")]);
    expect(loadDataset(`jsonl:${path}`).rows).toHaveLength(1);
    const seen: string[] = [];
    const custom = (p: string): Dataset => {
      seen.push(p);
      return { source: p, protocol: "answer", rows: [{ prompt: "x", answer: "y", line: 1 }] };
    };
    expect(loadDataset("counterfact:/some/where", { ...builtinDatasetLoaders, counterfact: custom }).rows).toHaveLength(1);
    expect(seen).toEqual(["/some/where"]);
    const e = failure(() => loadDataset("nosuch:/x"));
    expect(e.code).toBe("DATASET_INVALID");
    expect(e.message).toContain("nosuch");
    for (const name of ["constructor", "tostring"]) {
      const p = failure(() => loadDataset(`${name}:${path}`));
      expect(p.code).toBe("DATASET_INVALID");
      expect(p.message).toContain(`unknown dataset loader "${name}"`);
    }
  });

  const cases: [string, string[], number, RegExp][] = [
    ["bad JSON", [answer("a", "b"), "{oops"], 2, /not valid JSON/],
    ["a row that is not an object", ["[1,2]"], 1, /JSON object/],
    ["a missing prompt", [JSON.stringify({ answer: "x" })], 1, /"prompt"/],
    ["a missing answer", [JSON.stringify({ prompt: "x" })], 1, /empty "answer"/],
    ["an empty answer", [answer("a", "b"), answer("x", "  ")], 2, /empty "answer"/],
    ["choices that are not an array", [choice("p", "yes", 0)], 1, /at least 2/],
    ["a single choice", [choice("p", ["yes"], 0)], 1, /at least 2/],
    ["a choice that is not a string", [choice("p", ["yes", 3], 0)], 1, /at least 2/],
    ["a label out of range", [choice("p", ["yes", "no"], 0), choice("p", ["yes", "no"], 2)], 2, /"label".*\[0, 1\]/],
    ["a label that is not an integer", [choice("p", ["yes", "no"], 0.5)], 1, /"label"/],
    ["a label nested 100,000 deep", [`{"prompt":"p","choices":["a","b"],"label":${"[".repeat(100_000)}${"]".repeat(100_000)}}`], 1, /"label".*got \[\[\[/],
    ["both answer and choices", [JSON.stringify({ prompt: "p", answer: "a", choices: ["a", "b"], label: 0 })], 1, /not both/],
    ["mixed protocols", [answer("a", "b"), "", choice("p", ["yes", "no"], 1)], 3, /mixed protocols: line 1/],
  ];
  for (const [what, lines, line, pattern] of cases) {
    it(`rejects ${what} with DATASET_INVALID naming file and line ${line}`, () => {
      const path = file(lines);
      const e = failure(() => loadDataset(path));
      expect(e.code).toBe("DATASET_INVALID");
      expect(e.message).toContain(`${path}:${line}:`);
      expect(e.message).toMatch(pattern);
    });
  }

  it("rejects an empty dataset, naming the file", () => {
    const path = file(["", "  "]);
    const e = failure(() => loadDataset(path));
    expect(e.code).toBe("DATASET_INVALID");
    expect(e.message).toContain(path);
    expect(e.message).toContain("empty");
  });

  it("reports a missing file as NOT_FOUND", () => {
    const e = failure(() => loadDataset(join(tmp.dir, "absent.jsonl")));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toContain("absent.jsonl");
  });
});
