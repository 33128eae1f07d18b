// Every named loader on the real benchmark files in ../shared/data (see its README): record and row counts, gold labels, determinism.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dataset } from "../../agent/tasks/dataset.ts";
import { namedDatasets } from "../../agent/tasks/datasets/registry.ts";
import { SHARED_DATA } from "./fixtures.ts";

interface RealFile {
  dataset: string;
  /** The file, under ../shared/data. */
  path: string;
  /** Records in the file: ../shared/data/README.md's count. */
  records: number;
  /** Rows the loader makes of them, by the rule in `rule`. */
  rows: number;
  /** Rows per gold label, for choice datasets. */
  labels?: number[];
  rule: string;
  /** A directory that must give the same rows as the file. */
  directory?: string;
}

const REAL_FILES: RealFile[] = [
  { dataset: "counterfact", path: "partial/counterfact/counterfact.sample500.json", records: 500, rows: 1500, rule: "3 rows per record: the rewrite prompt and its 2 paraphrases" },
  { dataset: "known-facts", path: "known_1000/known_1000.json", records: 1209, rows: 1209, rule: "one row per fact", directory: "known_1000" },
  { dataset: "hotpotqa", path: "partial/hotpotqa/hotpot_dev_distractor_v1.first53.json", records: 53, rows: 53, rule: "a dev file alone: one row per record" },
  {
    dataset: "fever", path: "fever/paper_dev.jsonl", records: 9999, rows: 6510, labels: [3258, 3252], directory: "fever",
    rule: "3,333 NOT ENOUGH INFO records dropped; the 6,666 others hold 6,512 distinct claims, 2 of them with both labels (dropped)",
  },
  {
    dataset: "fever", path: "partial/fever-paper_test.reduced.jsonl", records: 9999, rows: 6576, labels: [3279, 3297],
    rule: "no `verifiable` field, so the label alone filters: 3,333 NOT ENOUGH INFO dropped; 6,577 distinct claims, 1 with both labels (dropped)",
  },
  { dataset: "truthfulqa", path: "truthfulqa/mc_task.json", records: 817, rows: 6204, labels: [3369, 2835], rule: "one row per mc2 answer", directory: "truthfulqa" },
  { dataset: "truthfulqa", path: "truthfulqa/TruthfulQA.csv", records: 817, rows: 6209, labels: [3370, 2839], rule: "one row per correct, then incorrect answer; 5 more than mc_task.json, which holds an answer repeated in a question once" },
  { dataset: "truthfulqa", path: "truthfulqa/2025-01/mc_task.json", records: 790, rows: 6023, labels: [3250, 2773], rule: "one row per mc2 answer; 22 empty answers skipped" },
  { dataset: "truthfulqa", path: "truthfulqa/2025-01/TruthfulQA.csv", records: 790, rows: 6028, labels: [3251, 2777], rule: "one row per correct, then incorrect answer; empty answers (a trailing \";\") skipped" },
  { dataset: "bigbench-epistemic", path: "bigbench-epistemic/task.json", records: 2000, rows: 2000, labels: [741, 1259], rule: "one row per example", directory: "bigbench-epistemic" },
  { dataset: "bigbench-wikidata", path: "partial/bigbench-wikidata/bigbench_qa_wikidata.jsonl", records: 20321, rows: 20321, rule: "{context, continuation}: one target per line" },
  { dataset: "sst2", path: "sst2/dev.tsv", records: 872, rows: 872, labels: [428, 444], rule: "one row per sentence after the header", directory: "sst2" },
  { dataset: "cola", path: "cola/dev.tsv", records: 1043, rows: 1043, labels: [322, 721], rule: "one row per line (no header, no trailing newline)", directory: "cola" },
];

/** Named datasets without a real file on this machine (../shared/data/README.md, "Missing"), and the file they would read. */
const MISSING: { dataset: string; path: string }[] = [
  { dataset: "bios-gender", path: "bias_in_bios/dev.jsonl" },
  { dataset: "bios-profession", path: "bias_in_bios/dev.jsonl" },
];

/** The file's records counted without the loader: JSON array items (task.json: examples), non-blank lines less any header. */
function countRecords(file: string): number {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".json")) {
    const value = JSON.parse(text) as unknown[] | { examples: unknown[] };
    return Array.isArray(value) ? value.length : value.examples.length;
  }
  const lines = text.split("\n").filter((l) => l.trim().length > 0).length;
  return file.endsWith(".csv") || file.endsWith("sst2/dev.tsv") ? lines - 1 : lines;
}

/** A describe title that says why it is skipped when `file` is absent. */
const titled = (title: string, file: string, why: string): string => (existsSync(file) ? title : `${title} (skipped: ${why})`);

const labelCounts = (d: Dataset, n: number): number[] => {
  const counts = new Array<number>(n).fill(0);
  for (const row of d.rows) if ("label" in row) counts[row.label]!++;
  return counts;
};

describe("every named dataset has a real-file test or a recorded missing file", () => {
  it("covers the registry", () => {
    const covered = new Set([...REAL_FILES, ...MISSING].map((f) => f.dataset));
    expect(namedDatasets.map((d) => d.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});

for (const real of REAL_FILES) {
  const file = join(SHARED_DATA, real.path);
  const d = namedDatasets.find((n) => n.name === real.dataset)!;
  describe.skipIf(!existsSync(file))(titled(`${real.dataset} on ${real.path}`, file, `${file} is absent on this machine`), () => {
    it(`reads ${real.records} records into ${real.rows} rows (${real.rule}), with prompts and gold labels in range`, () => {
      expect(countRecords(file)).toBe(real.records);
      const data = d.load(file);
      expect(data.protocol).toBe(d.protocol);
      expect(data.rows).toHaveLength(real.rows);
      if (real.rows >= real.records) expect(new Set(data.rows.map((r) => r.line)).size).toBe(real.records);
      for (const row of data.rows) {
        expect(row.prompt.trim().length).toBeGreaterThan(0);
        if ("choices" in row) {
          expect(row.choices).toEqual(d.choices);
          expect(row.label).toBeGreaterThanOrEqual(0);
          expect(row.label).toBeLessThan(row.choices.length);
        } else {
          expect(row.answer.trim().length).toBeGreaterThan(0);
          expect(row.answer.startsWith(" ")).toBe(true);
        }
      }
      if (real.labels) expect(labelCounts(data, d.choices!.length)).toEqual(real.labels);
    });

    it("gives the same rows on a second read" + (real.directory ? ` and from its directory ${real.directory}/` : ""), () => {
      const first = d.load(file);
      expect(d.load(file)).toEqual(first);
      if (real.directory) {
        const dir = join(SHARED_DATA, real.directory);
        expect(statSync(dir).isDirectory()).toBe(true);
        expect(d.load(dir).rows).toEqual(first.rows);
      }
    });
  });
}

for (const missing of MISSING) {
  const file = join(SHARED_DATA, missing.path);
  const d = namedDatasets.find((n) => n.name === missing.dataset)!;
  describe.skipIf(!existsSync(file))(titled(`${missing.dataset} on ${missing.path}`, file, `${file} is missing; ${SHARED_DATA}/README.md lists it under "Missing"`), () => {
    it("loads rows with non-empty prompts and a gold label in range", () => {
      const data = d.load(file);
      expect(data.rows.length).toBeGreaterThan(0);
      for (const row of data.rows) {
        expect(row.prompt.trim().length).toBeGreaterThan(0);
        if ("choices" in row) expect(row.label).toBeLessThan(row.choices.length);
      }
    });
  });
}
