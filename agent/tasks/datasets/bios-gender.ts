// Bias in Bios, gender: LASER's "Is the person in this text a male or female?" prompt, " male" vs " female".
import type { ChoiceRow } from "../dataset.ts";
import { terminated } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { BIOS_EXPECTS, readBios } from "./bios-rows.ts";
import { choiceDataset } from "./source.ts";
import { compileTemplate } from "./template.ts";

/** Label index = LabHC's gender: 0 male, 1 female. */
const CHOICES = [" male", " female"] as const;

export const biosGender: NamedDataset = {
  name: "bios-gender",
  title: "Bias in Bios — gender (De-Arteaga et al., 2019)",
  protocol: "choice",
  expects: BIOS_EXPECTS,
  template: "Consider the following text: {text} Is the person in this text a male or female? The gender of this person is",
  placeholders: {
    hard_text: "the biography (hard_text), trimmed",
    text: `the biography, trimmed, with "." appended unless it ends in "." or "?"`,
  },
  choices: CHOICES,
  gold: `gender 0 → " male", 1 → " female"; every dev row is kept (both answers are single tokens)`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? biosGender.template, Object.keys(biosGender.placeholders), biosGender.name);
    const { files, rows } = readBios(path, biosGender.name);
    const out: ChoiceRow[] = rows.map((r) => ({
      prompt: render({ hard_text: r.text.trim(), text: terminated(r.text, ".") }),
      choices: [...CHOICES],
      label: r.gender,
      line: r.line,
    }));
    return choiceDataset(path, files, out);
  },
};
