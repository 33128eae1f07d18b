// The named datasets c2i reads in their native formats: the list `c2i datasets` prints and the loaders `name:path` dispatches to.
import type { Dataset } from "../dataset.ts";
import { biosGender } from "./bios-gender.ts";
import { biosProfession } from "./bios-profession.ts";
import { bigbenchEpistemic } from "./bigbench-epistemic.ts";
import { bigbenchWikidata } from "./bigbench-wikidata.ts";
import { cola } from "./cola.ts";
import { counterfact } from "./counterfact.ts";
import { fever } from "./fever.ts";
import { hotpotqa } from "./hotpotqa.ts";
import { knownFacts } from "./known-facts.ts";
import type { DatasetLoadOptions, NamedDataset } from "./named.ts";
import { sst2 } from "./sst2.ts";
import { truthfulqa } from "./truthfulqa.ts";

export const namedDatasets: readonly NamedDataset[] = Object.freeze([
  counterfact, knownFacts, hotpotqa, fever, biosGender, biosProfession, truthfulqa, bigbenchEpistemic, bigbenchWikidata, cola, sst2,
]);

/** Loader functions by name, in the shape `agent/tasks/dataset.ts` dispatches on. */
export function namedDatasetLoaders(): Record<string, (path: string, options?: DatasetLoadOptions) => Dataset> {
  return Object.fromEntries(namedDatasets.map((d) => [d.name, (path: string, options?: DatasetLoadOptions) => d.load(path, options)]));
}
