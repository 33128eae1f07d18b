// Bias in Bios, profession: LASER keeps the eight single-token professions and asks "What is the profession of the person in this text?".
import type { ChoiceRow } from "../dataset.ts";
import { terminated } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { BIOS_EXPECTS, PROFESSIONS, readBios } from "./bios-rows.ts";
import { choiceDataset } from "./source.ts";
import { compileTemplate } from "./template.ts";

/** LASER's occupations, in its order: the label is the index here. */
const OCCUPATIONS = ["journalist", "poet", "composer", "model", "teacher", "architect", "painter", "professor"] as const;
const CHOICES = OCCUPATIONS.map((o) => " " + o);

export const biosProfession: NamedDataset = {
  name: "bios-profession",
  title: "Bias in Bios — profession (De-Arteaga et al., 2019)",
  protocol: "choice",
  expects: BIOS_EXPECTS,
  template: "Consider the following text: {text} What is the profession of the person in this text? The profession of this person is",
  placeholders: {
    hard_text: "the biography (hard_text), trimmed",
    text: `the biography, trimmed, with "." appended unless it ends in "." or "?"`,
  },
  choices: CHOICES,
  gold: `the profession's name among LASER's eight (${OCCUPATIONS.join(", ")}); rows with any other profession are skipped`,
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? biosProfession.template, Object.keys(biosProfession.placeholders), biosProfession.name);
    const { files, rows } = readBios(path, biosProfession.name);
    const out: ChoiceRow[] = [];
    for (const r of rows) {
      const label = (OCCUPATIONS as readonly string[]).indexOf(PROFESSIONS[r.profession]!);
      if (label < 0) continue;
      out.push({ prompt: render({ hard_text: r.text.trim(), text: terminated(r.text, ".") }), choices: [...CHOICES], label, line: r.line });
    }
    return choiceDataset(path, files, out, `no row has one of LASER's professions ${OCCUPATIONS.join(", ")}`);
  },
};
