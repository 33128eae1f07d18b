// GLUE's TSV files (CoLA, SST-2): labelled train/dev rows; the unlabelled test files are refused with a clear message.
import { invalid, type NativeRecord } from "./fields.ts";
import { inputFiles, tsvRecords } from "./source.ts";

export interface LabelledSentence {
  sentence: string;
  label: number;
  line: number;
}

/** A GLUE test file starts with "index\tsentence" and carries no labels. */
function refuseTest(first: NativeRecord | undefined, file: string): void {
  const cells = first?.value as string[] | undefined;
  if (cells && cells[0] === "index" && cells[1] === "sentence") {
    throw invalid(`${file}:1`, `this is a GLUE test file (header "index\tsentence"): it has no labels; use train.tsv or dev.tsv`);
  }
}

function labelCell(cell: string | undefined, where: string): number {
  if (cell !== "0" && cell !== "1") throw invalid(where, `label must be 0 or 1, got ${JSON.stringify(cell ?? null)}`);
  return Number(cell);
}

/** CoLA: no header; columns source, label (0/1), original mark ("*" or empty), sentence. */
export function readCola(path: string, dataset: string): { files: string[]; rows: LabelledSentence[] } {
  const files = inputFiles(path, ["dev.tsv", "in_domain_dev.tsv"], dataset).slice(0, 1);
  const records = tsvRecords(files[0]!);
  refuseTest(records[0], files[0]!);
  const rows = records.map(({ value, where, line }) => {
    const cells = value as string[];
    if (cells.length !== 4) throw invalid(where, `expected 4 tab-separated columns (source, label, original mark, sentence), got ${cells.length}`);
    const sentence = cells[3]!.trim();
    if (!sentence) throw invalid(where, "the sentence (column 4) is empty");
    return { sentence, label: labelCell(cells[1], where), line };
  });
  return { files, rows };
}

/** SST-2: header "sentence\tlabel", then one row per sentence. */
export function readSst2(path: string, dataset: string): { files: string[]; rows: LabelledSentence[] } {
  const files = inputFiles(path, ["dev.tsv"], dataset);
  const records = tsvRecords(files[0]!);
  refuseTest(records[0], files[0]!);
  const header = records[0]?.value as string[] | undefined;
  if (!header || header[0] !== "sentence" || header[1] !== "label") {
    throw invalid(`${files[0]}:${records[0]?.line ?? 1}`, `expected the SST-2 header "sentence\tlabel", got ${JSON.stringify(header?.join("\t") ?? "")}`);
  }
  const rows = records.slice(1).map(({ value, where, line }) => {
    const cells = value as string[];
    if (cells.length !== 2) throw invalid(where, `expected 2 tab-separated columns (sentence, label), got ${cells.length}`);
    const sentence = cells[0]!.trim();
    if (!sentence) throw invalid(where, "the sentence (column 1) is empty");
    return { sentence, label: labelCell(cells[1], where), line };
  });
  return { files, rows };
}
