// BIG-bench WikidataQA (qa_wikidata) as LASER reads it: examples with exactly one target, answered generatively.
import type { AnswerRow } from "../dataset.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { bigbenchExpects, readBigBench } from "./bigbench-rows.ts";
import { answerDataset } from "./source.ts";
import { compileTemplate } from "./template.ts";

export const bigbenchWikidata: NamedDataset = {
  name: "bigbench-wikidata",
  title: "BIG-bench WikidataQA (qa_wikidata)",
  protocol: "answer",
  expects: bigbenchExpects("qa_wikidata"),
  template: "{inputs}",
  placeholders: { inputs: `the example's "inputs", trimmed` },
  answer: " <target> (trimmed, with a leading space, as LASER)",
  gold: "the single target, trimmed, with a leading space; examples with several targets are skipped (as LASER)",
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? bigbenchWikidata.template, Object.keys(bigbenchWikidata.placeholders), bigbenchWikidata.name);
    const { files, rows } = readBigBench(path, bigbenchWikidata.name);
    const out: AnswerRow[] = [];
    for (const r of rows) {
      if (r.targets.length !== 1) continue;
      out.push({ prompt: render({ inputs: r.inputs.trim() }), answer: " " + r.targets[0]!.trim(), line: r.line });
    }
    return answerDataset(path, files, out, "no example has exactly one target");
  },
};
