// BIG-bench Epistemic Reasoning as LASER scores it: the inputs as the prompt, " entailment" vs " non-entailment".
import type { ChoiceRow } from "../dataset.ts";
import { previewJson } from "../../../common/preview.ts";
import { invalid } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { bigbenchExpects, readBigBench } from "./bigbench-rows.ts";
import { choiceDataset } from "./source.ts";
import { compileTemplate } from "./template.ts";

const TARGETS = ["entailment", "non-entailment"] as const;

export const bigbenchEpistemic: NamedDataset = {
  name: "bigbench-epistemic",
  title: "BIG-bench Epistemic Reasoning",
  protocol: "choice",
  expects: bigbenchExpects("epistemic_reasoning"),
  template: "{inputs}",
  placeholders: { inputs: `the example's "inputs" (premise, hypothesis, ending in "Relation:")` },
  choices: TARGETS.map((t) => " " + t),
  gold: `the single target ("entailment" or "non-entailment"), scored with a leading space`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? bigbenchEpistemic.template, Object.keys(bigbenchEpistemic.placeholders), bigbenchEpistemic.name);
    const { files, rows } = readBigBench(path, bigbenchEpistemic.name);
    const out: ChoiceRow[] = rows.map((r) => {
      const label = r.targets.length === 1 ? (TARGETS as readonly string[]).indexOf(r.targets[0]!) : -1;
      if (label < 0) throw invalid(r.where, `"targets" must be exactly one of ${TARGETS.map((t) => JSON.stringify(t)).join(", ")}, got ${previewJson(r.targets)}`);
      return { prompt: render({ inputs: r.inputs }), choices: TARGETS.map((t) => " " + t), label, line: r.line };
    });
    return choiceDataset(path, files, out);
  },
};
