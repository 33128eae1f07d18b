// Dataset surfaces: generic JSONL (answer, choice) and every named loader on its native format, through loadDataset.
import { loadDataset } from "../../../agent/tasks/dataset.ts";
import { namedDatasets } from "../../../agent/tasks/datasets/registry.ts";
import { ErrorCode } from "../../../common/errors.ts";
import { INTERESTING_STRINGS, mutateJson, serialise, type Json } from "../mutate-json.ts";
import { mutateText } from "../mutate-bytes.ts";
import type { Rng } from "../rng.ts";
import type { FuzzInput, Surface } from "../surface.ts";

type Format = "json" | "jsonl" | "tsv" | "csv";

/** One native file of a loader: its name and valid content. */
interface NativeFile {
  name: string;
  format: Format;
  text: string;
}

/** A valid dataset in one loader's native format: `ref` is `<loader>:` + path (a file, or the directory when several files). */
interface DatasetSeed {
  surface: string;
  title: string;
  loader: string;
  files: NativeFile[];
  /** Point at the directory (several files, or a directory lookup) rather than the one file. */
  directory?: boolean;
}

const jsonl = (rows: Json[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const WORDS = ["river", "paris", "blue", "cat", "piano", "seven", "gold", "tree"];

const SEEDS: DatasetSeed[] = [
  {
    surface: "dataset-jsonl-answer", title: "generic JSONL {prompt, answer}", loader: "jsonl",
    files: [{ name: "data.jsonl", format: "jsonl", text: jsonl(range(6).map((i) => ({ prompt: `Q${i}: the color is`, answer: ` ${WORDS[i]}` }))) }],
  },
  {
    surface: "dataset-jsonl-choice", title: "generic JSONL {prompt, choices, label}", loader: "jsonl",
    files: [{ name: "data.jsonl", format: "jsonl", text: jsonl(range(6).map((i) => ({ prompt: `Q${i}: pick`, choices: [" yes", " no", " maybe"], label: i % 3 }))) }],
  },
  {
    surface: "dataset-fever", title: "fever paper_dev.jsonl + paper_test.jsonl", loader: "fever", directory: true,
    files: [
      { name: "paper_dev.jsonl", format: "jsonl", text: jsonl(range(5).map((i) => ({ id: i, label: ["SUPPORTS", "REFUTES", "NOT ENOUGH INFO", 1, 0][i]!, claim: `Claim ${i} is ${WORDS[i]}.`, evidence: [] }))) },
      { name: "paper_test.jsonl", format: "jsonl", text: jsonl([{ id: 9, label: "REFUTES", claim: "Snow is hot" }]) },
    ],
  },
  {
    surface: "dataset-truthfulqa-json", title: "truthfulqa mc_task.json / validation.jsonl", loader: "truthfulqa",
    files: [{
      name: "mc_task.json", format: "json",
      text: JSON.stringify(range(3).map((i) => ({ question: `What is ${WORDS[i]}?`, mc1_targets: { A: 1, B: 0 }, mc2_targets: { [`It is ${WORDS[i]}.`]: 1, "It is not.": 0, "": 0 } }))),
    }],
  },
  {
    surface: "dataset-truthfulqa-hf", title: "truthfulqa validation.jsonl (Hugging Face rows)", loader: "truthfulqa",
    files: [{ name: "validation.jsonl", format: "jsonl", text: jsonl(range(3).map((i) => ({ question: `Why ${WORDS[i]}?`, mc2_targets: { choices: ["Because.", "No."], labels: [1, 0] } }))) }],
  },
  {
    surface: "dataset-truthfulqa-csv", title: "truthfulqa TruthfulQA.csv (RFC 4180)", loader: "truthfulqa",
    files: [{
      name: "TruthfulQA.csv", format: "csv",
      text: "\ufeffType,Category,Question,Best Answer,Correct Answers,Incorrect Answers,Source\n" +
        'Adversarial,Misc,What color is the sky?,Blue,"Blue; It is blue",Green; Red,x\n' +
        'Adversarial,Misc,"Is ""snow"" hot?",No,No,"Yes; Always\nhot",y\n',
    }],
  },
  {
    surface: "dataset-bigbench-task", title: "bigbench task.json (target_scores, target)", loader: "bigbench-epistemic",
    files: [{
      name: "task.json", format: "json",
      text: JSON.stringify({
        task_prefix: "", example_input_prefix: "\nQ: ", example_output_prefix: "\nA: ",
        examples: range(4).map((i) => ({ input: `Premise ${i}. Relation:`, target_scores: { entailment: i % 2, "non-entailment": 1 - (i % 2) } })),
      }),
    }],
  },
  {
    surface: "dataset-bigbench-jsonl", title: "bigbench validation.jsonl + train.jsonl {inputs, targets}", loader: "bigbench-epistemic", directory: true,
    files: [
      { name: "validation.jsonl", format: "jsonl", text: jsonl(range(3).map((i) => ({ inputs: `Premise ${i}. Relation:`, targets: [i % 2 ? "entailment" : "non-entailment"], multiple_choice_targets: ["entailment", "non-entailment"] }))) },
      { name: "train.jsonl", format: "jsonl", text: jsonl([{ inputs: "P. Relation:", targets: ["entailment"] }]) },
    ],
  },
  {
    surface: "dataset-bigbench-wikidata", title: "bigbench-wikidata {context, continuation} and {inputs, targets} JSONL", loader: "bigbench-wikidata",
    files: [{ name: "qa.jsonl", format: "jsonl", text: jsonl([...range(3).map((i) => ({ context: `The capital of ${WORDS[i]} is`, continuation: "Lima" })), { inputs: "Q: x", targets: ["y"] }, { inputs: "Q: z", targets: ["a", "b"] }]) }],
  },
  {
    surface: "dataset-sst2", title: "sst2 dev.tsv (header sentence\\tlabel)", loader: "sst2",
    files: [{ name: "dev.tsv", format: "tsv", text: "sentence\tlabel\nit 's a charming journey . \t1\nflat and dull \t0\nfine\t1\n" }],
  },
  {
    surface: "dataset-cola", title: "cola dev.tsv (4 columns, no header)", loader: "cola",
    files: [{ name: "dev.tsv", format: "tsv", text: "gj04\t1\t\tThe cat slept on the mat.\ngj04\t0\t*\tThe cat slept the mat on.\n\ncl\t1\t\tWe left.\n" }],
  },
  {
    surface: "dataset-counterfact", title: "counterfact counterfact.json", loader: "counterfact",
    files: [{
      name: "counterfact.json", format: "json",
      text: JSON.stringify(range(3).map((i) => ({
        case_id: i, requested_rewrite: { prompt: "The mother tongue of {} is", subject: `Person ${i}`, target_true: { str: "English", id: "Q1" }, target_new: { str: "French" } },
        paraphrase_prompts: [`Person ${i} speaks`, "Their language is"], neighborhood_prompts: ["x"],
      }))),
    }],
  },
  {
    surface: "dataset-hotpotqa", title: "hotpotqa train + dev JSON arrays", loader: "hotpotqa", directory: true,
    files: [
      { name: "hotpot_train_v1.1.json", format: "json", text: JSON.stringify(range(3).map((i) => ({ _id: `t${i}`, question: `Which ${WORDS[i]}?`, answer: ` ${WORDS[i + 1]} `, level: "easy" }))) },
      { name: "hotpot_dev_fullwiki_v1.json", format: "json", text: JSON.stringify(range(2).map((i) => ({ _id: `d${i}`, question: `Who ${i}.`, answer: "Ann" }))) },
    ],
  },
  {
    surface: "dataset-known-facts", title: "known-facts known_1000.json", loader: "known-facts",
    files: [{
      name: "known_1000.json", format: "json",
      text: JSON.stringify(range(3).map((i) => ({ known_id: i, subject: `Thing ${i}`, attribute: WORDS[i], template: "{} is made by", prediction: " x", prompt: `Thing ${i} is made by`, relation_id: "P176" }))),
    }],
  },
  {
    surface: "dataset-bios", title: "bios-gender / bios-profession dev.jsonl", loader: "bios-gender",
    files: [{ name: "dev.jsonl", format: "jsonl", text: jsonl(range(5).map((i) => ({ hard_text: `She works as a ${WORDS[i]} maker.`, profession: i * 5, gender: i % 2 }))) }],
  },
];

/** Cell-level damage to delimited text: a hostile cell, a missing or extra delimiter, a stray quote. */
function mutateDelimited(text: string, delimiter: string, rng: Rng): { value: string; what: string } {
  const lines = text.split("\n");
  const i = rng.int(lines.length);
  const cells = lines[i]!.split(delimiter);
  const j = rng.int(cells.length);
  const op = rng.int(4);
  if (op === 0) cells[j] = rng.pick(INTERESTING_STRINGS);
  else if (op === 1) cells.splice(j, 1);
  else if (op === 2) cells.splice(j, 0, rng.pick(["", "1", "0", "x"]));
  else cells[j] = `"${cells[j]}`;
  lines[i] = cells.join(delimiter);
  return { value: lines.join("\n"), what: `line ${i + 1} cell ${j + 1}: ${["hostile value", "deleted", "inserted", "stray quote"][op]}` };
}

function mutateFile(file: NativeFile, rng: Rng): { value: string | Uint8Array; what: string } {
  if (rng.chance(0.3)) return mutateText(file.text, rng);
  switch (file.format) {
    case "json": {
      const m = mutateJson(JSON.parse(file.text) as Json, rng);
      return { value: serialise(m.value, rng), what: m.what };
    }
    case "jsonl": {
      const lines = file.text.split("\n");
      const i = rng.int(lines.length - 1);
      const m = mutateJson(JSON.parse(lines[i]!) as Json, rng);
      lines[i] = serialise(m.value, rng).replaceAll("\n", " ");
      return { value: lines.join("\n"), what: `line ${i + 1}: ${m.what}` };
    }
    case "tsv":
      return mutateDelimited(file.text, "\t", rng);
    case "csv":
      return mutateDelimited(file.text, ",", rng);
  }
}

/** A template for the loader: its default, one of its placeholders, or a hostile one. */
function templateFor(loader: string, rng: Rng): string | undefined {
  const named = namedDatasets.find((d) => d.name === loader);
  if (!named || rng.chance(0.8)) return undefined;
  const keys = Object.keys(named.placeholders);
  return rng.pick([`Q: {${rng.pick(keys)}} A:`, "{nope}", "{", "}", "{{literal}} {" + rng.pick(keys) + "}", "{constructor}", "{__proto__}"]);
}

function datasetSurface(seed: DatasetSeed): Surface<DatasetSeed> {
  return {
    name: seed.surface,
    title: `${seed.title} → loadDataset("${seed.loader}:…")`,
    codes: [ErrorCode.DATASET_INVALID, ErrorCode.INVALID_ARGUMENT],
    setup: async () => seed,
    generate(rng, s): FuzzInput {
      const files: Record<string, string | Uint8Array> = {};
      for (const f of s.files) files[`d/${f.name}`] = f.text;
      const target = rng.pick(s.files);
      const m = mutateFile(target, rng);
      files[`d/${target.name}`] = m.value;
      const template = templateFor(s.loader, rng);
      return { files, what: `${target.name}: ${m.what}${template === undefined ? "" : `; template ${JSON.stringify(template)}`}`, data: template };
    },
    async feed(input, s, { dir }) {
      const path = s.directory ? `${dir}/d` : `${dir}/d/${s.files[0]!.name}`;
      const template = input.data as string | undefined;
      loadDataset(`${s.loader}:${path}`, undefined, template === undefined ? {} : { template });
    },
  };
}

export const datasetSurfaces: readonly Surface<DatasetSeed>[] = SEEDS.map(datasetSurface);
