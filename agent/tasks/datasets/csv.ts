// Comma-separated files with a header row (RFC 4180 quoting: "…", "" for a quote, line breaks inside quotes), each record named by file:line.
import { invalid, type NativeRecord } from "./fields.ts";
import { readText } from "./source.ts";

/** The cells of each record and the 1-based line it starts on; throws on an unterminated quote. */
function parse(text: string, file: string): { cells: string[]; line: number }[] {
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = "";
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === "\n") line++;
        cell += c;
      }
    } else if (c === '"' && cell.length === 0) {
      quoted = true;
      quoteLine = line;
    } else if (c === ",") {
      cells.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== "") records.push({ cells, line: start });
      cells = [];
      cell = "";
      start = ++line;
    } else {
      cell += c;
    }
  }
  if (quoted) throw invalid(`${file}:${quoteLine}`, "a quoted field is never closed");
  cells.push(cell);
  if (cells.length > 1 || cells[0] !== "") records.push({ cells, line: start });
  return records;
}

/** One record per data row, `value` keyed by the header's column names; a row with another cell count is DATASET_INVALID. */
export function csvRecords(file: string): NativeRecord[] {
  const [header, ...rows] = parse(readText(file), file);
  if (!header) return [];
  const names = header.cells.map((n) => n.trim());
  return rows.map(({ cells, line }) => {
    const where = `${file}:${line}`;
    if (cells.length !== names.length) throw invalid(where, `expected ${names.length} comma-separated columns (${names.join(", ")}), got ${cells.length}`);
    return { value: Object.fromEntries(names.map((n, i) => [n, cells[i]!])), where, line };
  });
}
