// FEVER (fever.ai's paper_dev/paper_test JSONL) as LASER reads it: claims with one consistent label, true/false after "The claim is".
import type { ChoiceRow } from "../dataset.ts";
import { previewJson } from "../../../common/preview.ts";
import { asObject, invalid, stringField, terminated, type NativeRecord } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { choiceDataset, inputFiles, recordsOf } from "./source.ts";
import { compileTemplate } from "./template.ts";

const SHAPE = `{"id", "label": "SUPPORTS"|"REFUTES"|"NOT ENOUGH INFO" (or 1|0), "claim", …}`;
/** Label index = the choice: 0 false (REFUTES), 1 true (SUPPORTS), as LASER's answer 0/1. */
const CHOICES = [" false", " true"] as const;

/** 1 = SUPPORTS, 0 = REFUTES, null = NOT ENOUGH INFO (LASER's source has only the two verifiable classes). */
function label(record: Record<string, unknown>, where: string): number | null {
  const v = record.label;
  if (v === undefined) throw invalid(where, `missing field "label"`);
  if (v === "SUPPORTS" || v === 1) return 1;
  if (v === "REFUTES" || v === 0) return 0;
  if (v === "NOT ENOUGH INFO") return null;
  throw invalid(where, `field "label" must be "SUPPORTS", "REFUTES", "NOT ENOUGH INFO", 1 or 0, got ${previewJson(v)}`);
}

/** LASER's filter, per file: drop claims seen with two labels, keep one row per claim (first occurrence). */
function consistentUnique(records: NativeRecord[]): { claim: string; label: number; line: number }[] {
  const byClaim = new Map<string, { label: number; line: number; labels: Set<number> }>();
  for (const { value, where, line } of records) {
    const record = asObject(value, where, SHAPE);
    const claim = stringField(record, "claim", where);
    const l = label(record, where);
    if (l === null) continue;
    const seen = byClaim.get(claim);
    if (seen) seen.labels.add(l);
    else byClaim.set(claim, { label: l, line, labels: new Set([l]) });
  }
  return [...byClaim].filter(([, v]) => v.labels.size === 1).map(([claim, v]) => ({ claim, label: v.label, line: v.line }));
}

export const fever: NamedDataset = {
  name: "fever",
  title: "FEVER (Thorne et al., 2018)",
  protocol: "choice",
  expects: `paper_dev.jsonl and/or paper_test.jsonl — fever.ai's JSON Lines of ${SHAPE}; a directory gives dev then test (LASER's order)`,
  template: "Consider the following claim: {statement} Is this claim true or false. The claim is",
  placeholders: {
    claim: "the claim, trimmed",
    statement: `the claim, trimmed, with "." appended unless it ends in "." or "?"`,
  },
  choices: CHOICES,
  gold: `SUPPORTS → " true", REFUTES → " false"; NOT ENOUGH INFO rows are skipped; claims with conflicting labels dropped, duplicates kept once (per file)`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? fever.template, Object.keys(fever.placeholders), fever.name);
    const files = inputFiles(path, ["paper_dev.jsonl", "paper_test.jsonl"], fever.name);
    const rows: ChoiceRow[] = [];
    for (const file of files) {
      for (const { claim, label: gold, line } of consistentUnique(recordsOf(file, `FEVER records ${SHAPE}`))) {
        const c = claim.trim();
        rows.push({ prompt: render({ claim: c, statement: terminated(c, ".") }), choices: [...CHOICES], label: gold, line });
      }
    }
    return choiceDataset(path, files, rows, "no SUPPORTS/REFUTES claim with a consistent label");
  },
};
