// HotPotQA (the original JSON releases) as LASER reads it: train records (as many as dev has) then dev, "<question> The answer is".
import type { AnswerRow } from "../dataset.ts";
import type { NativeRecord } from "./fields.ts";
import { asObject, stringField, terminated } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { answerDataset, inputFiles, jsonArrayRecords, readJson } from "./source.ts";
import { compileTemplate } from "./template.ts";

const TRAIN = "hotpot_train_v1.1.json";
const DEVS = ["hotpot_dev_fullwiki_v1.json", "hotpot_dev_distractor_v1.json"];
const SHAPE = `{"_id", "question", "answer", …}`;

export const hotpotqa: NamedDataset = {
  name: "hotpotqa",
  title: "HotPotQA (Yang et al., 2018)",
  protocol: "answer",
  expects: `${TRAIN} and/or ${DEVS[0]} (or ${DEVS[1]}) — JSON arrays of ${SHAPE}; a directory with train and dev gives LASER's order: the first len(dev) train records, then dev`,
  template: "{query} The answer is",
  placeholders: {
    question: "the question, trimmed",
    query: `the question, with "?" appended unless it already ends in "?" or "."`,
  },
  answer: " <answer> (trimmed, with a leading space, as LASER)",
  gold: "the record's answer, trimmed, with a leading space",
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? hotpotqa.template, Object.keys(hotpotqa.placeholders), hotpotqa.name);
    const files = inputFiles(path, [TRAIN, ...DEVS], hotpotqa.name);
    const read = (file: string) => jsonArrayRecords(file, readJson(file), `HotPotQA records ${SHAPE}`);
    let records: NativeRecord[];
    const train = files.find((f) => f.endsWith(TRAIN));
    const dev = files.find((f) => DEVS.some((d) => f.endsWith(d)));
    if (files.length > 1 && train && dev) {
      const devRecords = read(dev);
      records = [...read(train).slice(0, devRecords.length), ...devRecords];
    } else {
      records = read(files[0]!);
    }
    const rows: AnswerRow[] = records.map(({ value, where, line }) => {
      const record = asObject(value, where, SHAPE);
      const question = stringField(record, "question", where).trim();
      const answer = stringField(record, "answer", where).trim();
      return { prompt: render({ question, query: terminated(question, "?") }), answer: " " + answer, line };
    });
    return answerDataset(path, train && dev && files.length > 1 ? [train, dev] : [files[0]!], rows);
  },
};
