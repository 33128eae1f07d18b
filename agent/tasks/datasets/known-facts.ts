// ROME's known facts (known_1000.json, CounterFact's companion): each fact's prompt, answered by its attribute.
import type { AnswerRow } from "../dataset.ts";
import { asObject, stringField } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { answerDataset, inputFiles, jsonArrayRecords, readJson } from "./source.ts";
import { compileTemplate } from "./template.ts";

const FILE = "known_1000.json";
const SHAPE = `{"known_id", "subject", "attribute", "template": "{} …", "prediction", "prompt", "relation_id"}`;

export const knownFacts: NamedDataset = {
  name: "known-facts",
  title: "Known facts (Meng et al., ROME: known_1000.json)",
  protocol: "answer",
  expects: `${FILE} — ROME's release (rome.baulab.info/data/dsets/known_1000.json), a JSON array of ${SHAPE}; a directory must hold ${FILE}`,
  template: "{prompt}",
  placeholders: {
    prompt: `the record's "prompt": the fact's template filled with the subject, ending where the attribute comes`,
    subject: "the subject, trimmed",
    relation: `the Wikidata relation id ("relation_id", e.g. P30)`,
  },
  answer: " <attribute> (trimmed, with a leading space, as CounterFact's answers in LASER)",
  gold: "the record's attribute, trimmed, with a leading space; one row per record, in file order",
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? knownFacts.template, Object.keys(knownFacts.placeholders), knownFacts.name);
    const files = inputFiles(path, [FILE], knownFacts.name).slice(0, 1);
    const rows: AnswerRow[] = jsonArrayRecords(files[0]!, readJson(files[0]!), `known facts ${SHAPE}`).map(({ value, where, line }) => {
      const record = asObject(value, where, SHAPE);
      const prompt = stringField(record, "prompt", where).trim();
      const subject = stringField(record, "subject", where).trim();
      const relation = stringField(record, "relation_id", where).trim();
      const attribute = stringField(record, "attribute", where).trim();
      return { prompt: render({ prompt, subject, relation }), answer: " " + attribute, line };
    });
    return answerDataset(path, files, rows);
  },
};
