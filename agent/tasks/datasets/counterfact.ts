// CounterFact (ROME's counterfact.json) as LASER reads it: each fact's rewrite prompt and its two paraphrases, answered by the true target.
import type { AnswerRow } from "../dataset.ts";
import { asObject, invalid, objectField, stringArrayField, stringField } from "./fields.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { answerDataset, inputFiles, readJson, jsonArrayRecords } from "./source.ts";
import { compileTemplate } from "./template.ts";

const SHAPE = `{"requested_rewrite": {"prompt": "… {} …", "subject", "target_true": {"str"}}, "paraphrase_prompts": [strings]}`;

export const counterfact: NamedDataset = {
  name: "counterfact",
  title: "CounterFact (Meng et al., ROME)",
  protocol: "answer",
  expects: `counterfact.json — ROME's release, a JSON array of ${SHAPE}; a directory must hold counterfact.json`,
  template: "{question}",
  placeholders: { question: "the rewrite prompt with its {} filled by the subject, or one of the paraphrase prompts" },
  answer: " <target_true.str> (with a leading space, as LASER)",
  gold: "requested_rewrite.target_true.str with a leading space; three rows per record (prompt, then each paraphrase)",
  load(path: string, options: DatasetLoadOptions = {}) {
    const render = compileTemplate(options.template ?? counterfact.template, Object.keys(counterfact.placeholders), counterfact.name);
    const files = inputFiles(path, ["counterfact.json"], counterfact.name);
    const rows: AnswerRow[] = [];
    for (const file of files) {
      for (const { value, where, line } of jsonArrayRecords(file, readJson(file), `CounterFact records ${SHAPE}`)) {
        const record = asObject(value, where, SHAPE);
        const rewrite = objectField(record, "requested_rewrite", where);
        const prompt = stringField(rewrite, "prompt", `${where} requested_rewrite`);
        const subject = stringField(rewrite, "subject", `${where} requested_rewrite`);
        const target = stringField(objectField(rewrite, "target_true", `${where} requested_rewrite`), "str", `${where} requested_rewrite.target_true`);
        if (!prompt.includes("{}")) throw invalid(where, `requested_rewrite.prompt ${JSON.stringify(prompt)} has no "{}" for the subject`);
        const paraphrases = stringArrayField(record, "paraphrase_prompts", where);
        const answer = " " + target;
        for (const question of [prompt.replace("{}", subject), ...paraphrases]) {
          rows.push({ prompt: render({ question }), answer, line });
        }
      }
    }
    return answerDataset(path, files, rows);
  },
};
