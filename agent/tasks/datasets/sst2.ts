// SST-2 (GLUE TSV) as a LASER-style choice task: " negative" vs " positive" after a sentiment question.
import type { NamedDataset, DatasetLoadOptions } from "./named.ts";
import { readSst2 } from "./glue-tsv.ts";
import { choiceDataset } from "./source.ts";
import { compileTemplate } from "./template.ts";

/** Label index = SST-2's label: 0 negative, 1 positive. */
const CHOICES = [" negative", " positive"] as const;

export const sst2: NamedDataset = {
  name: "sst2",
  title: "SST-2 — binary sentiment (Socher et al., 2013; GLUE)",
  protocol: "choice",
  expects: `dev.tsv or train.tsv from GLUE's SST-2 folder — header "sentence\\tlabel", then tab-separated sentence and label 0|1; a directory gives dev.tsv`,
  template: "Consider the following review: {sentence} Is the sentiment of this review positive or negative? The sentiment is",
  placeholders: { sentence: "the sentence (column 1), trimmed" },
  choices: CHOICES,
  gold: `label 1 → " positive", 0 → " negative"`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? sst2.template, Object.keys(sst2.placeholders), sst2.name);
    const { files, rows } = readSst2(path, sst2.name);
    return choiceDataset(path, files, rows.map((r) => ({ prompt: render({ sentence: r.sentence }), choices: [...CHOICES], label: r.label, line: r.line })), "the file has only a header");
  },
};
