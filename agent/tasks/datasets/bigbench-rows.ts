// BIG-bench examples as LASER reads them (tasksource/bigbench rows: "inputs", "targets"), from a BIG-bench task.json, or from {context, continuation} rows.
import { asObject, invalid, stringArrayField, stringField, type NativeRecord } from "./fields.ts";
import { inputFiles, jsonlRecords, readJson } from "./source.ts";

export const BIGBENCH_SHAPE = `{"inputs": string, "targets": [strings], …} or {"context": string, "continuation": string}`;

export interface BigBenchRow {
  inputs: string;
  targets: string[];
  line: number;
  where: string;
}

export function bigbenchExpects(task: string): string {
  return (
    `validation.jsonl then train.jsonl — the tasksource/bigbench "${task}" splits as JSON Lines of ${BIGBENCH_SHAPE} (LASER reads validation, then train); ` +
    `or task.json from BIG-bench's benchmark_tasks/${task}/ ({"examples": [{"input", "target_scores" | "target"}], prefixes}); a directory may hold either; ` +
    `a JSON Lines file given by path may also hold {"context", "continuation"} rows (llm-foundry's derived copies: inputs = context, the one target = continuation)`
  );
}

/** BIG-bench's zero-shot formatting of a JSON task: prefix + input prefix + input + output prefix (defaults "\nQ: ", "\nA: "). */
function fromTaskJson(file: string): BigBenchRow[] {
  const task = asObject(readJson(file), file, `{"examples": [...]}`);
  const examples = task.examples;
  if (!Array.isArray(examples)) throw invalid(file, `missing "examples" array (a BIG-bench task.json)`);
  const text = (key: string, fallback: string) => (typeof task[key] === "string" ? (task[key] as string) : fallback);
  const prefix = text("task_prefix", "");
  const inPrefix = text("example_input_prefix", "\nQ: ");
  const outPrefix = text("example_output_prefix", "\nA: ");
  return examples.map((value, i) => {
    const where = `${file} example ${i + 1}`;
    const ex = asObject(value, where, `{"input", "target_scores" | "target"}`);
    const input = stringField(ex, "input", where);
    let targets: string[];
    if (ex.target_scores !== undefined) {
      const scores = asObject(ex.target_scores, `${where} field "target_scores"`, "");
      const best = Math.max(...Object.values(scores).map((s) => (typeof s === "number" ? s : -Infinity)));
      if (!Number.isFinite(best)) throw invalid(where, `"target_scores" must map choices to numbers`);
      targets = Object.keys(scores).filter((k) => scores[k] === best);
    } else if (typeof ex.target === "string") {
      targets = [ex.target];
    } else {
      targets = stringArrayField(ex, "target", where);
    }
    return { inputs: (prefix + inPrefix + input + outPrefix).trim(), targets, line: i + 1, where };
  });
}

function fromRows(records: NativeRecord[]): BigBenchRow[] {
  return records.map(({ value, where, line }) => {
    const record = asObject(value, where, BIGBENCH_SHAPE);
    if (record.inputs === undefined && record.context !== undefined) {
      return { inputs: stringField(record, "context", where), targets: [stringField(record, "continuation", where)], line, where };
    }
    return { inputs: stringField(record, "inputs", where), targets: stringArrayField(record, "targets", where), line, where };
  });
}

export function readBigBench(path: string, dataset: string): { files: string[]; rows: BigBenchRow[] } {
  const files = inputFiles(path, ["validation.jsonl", "train.jsonl", "task.json"], dataset);
  const rows: BigBenchRow[] = [];
  // The tasksource rows (what LASER read) win over a task.json in the same directory.
  const jsonl = files.filter((f) => f.endsWith(".jsonl"));
  const used = jsonl.length > 0 ? jsonl : files;
  for (const file of used) rows.push(...(file.endsWith(".jsonl") ? fromRows(jsonlRecords(file)) : fromTaskJson(file)));
  return { files: used, rows };
}
