// CoLA (GLUE TSV) as a LASER-style choice task: " unacceptable" vs " acceptable" after a grammaticality question.
import type { NamedDataset, DatasetLoadOptions } from "./named.ts";
import { readCola } from "./glue-tsv.ts";
import { choiceDataset } from "./source.ts";
import { compileTemplate } from "./template.ts";

/** Label index = CoLA's label: 0 unacceptable, 1 acceptable. */
const CHOICES = [" unacceptable", " acceptable"] as const;

export const cola: NamedDataset = {
  name: "cola",
  title: "CoLA — linguistic acceptability (Warstadt et al., 2019; GLUE)",
  protocol: "choice",
  expects: "dev.tsv or train.tsv from GLUE's CoLA folder (also the raw in_domain_*.tsv) — no header, 4 tab-separated columns: source, label 0|1, original mark, sentence; a directory gives dev.tsv",
  template: "Consider the following sentence: {sentence} Is this sentence grammatically acceptable or unacceptable? This sentence is",
  placeholders: { sentence: "the sentence (column 4), trimmed" },
  choices: CHOICES,
  gold: `label 1 → " acceptable", 0 → " unacceptable"`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? cola.template, Object.keys(cola.placeholders), cola.name);
    const { files, rows } = readCola(path, cola.name);
    return choiceDataset(path, files, rows.map((r) => ({ prompt: render({ sentence: r.sentence }), choices: [...CHOICES], label: r.label, line: r.line })));
  },
};
