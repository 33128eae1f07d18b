// Job spec surface: the JSON a client sends in SubmitJob, through resolveSpec; an accepted spec must survive the store round trip.
import { ErrorCode } from "../../../common/errors.ts";
import { parseSpecJson, resolveSpec, specFromRecord, type JobSpec } from "../../../coordinator/plan/spec.ts";
import { phasesFor } from "../../../coordinator/plan/strategies.ts";
import { mutateText } from "../mutate-bytes.ts";
import { mutateJson, serialise, type Json } from "../mutate-json.ts";
import type { FuzzInput, Surface } from "../surface.ts";

/** Valid specs: every strategy, every setting, task options, factorizations and clusterings. */
export const VALID_SPECS: Json[] = [
  { model: "/models/tiny", dataset: "/data/rows.jsonl" },
  {
    model: "/models/tiny", dataset: "counterfact:/data/counterfact.json", strategy: "c2i",
    task: { template: "Q: {question} A:", lengthNormalise: false, maxTokens: 128 },
    settings: { adaptSize: 100, testSize: 500, blockCounts: [1, 2, 4], smallest: 10, scoreSign: "positive", topM: 3, rates: [0.5, 0.9], seed: 7, layers: [0, 1], kinds: ["mlp_out", "q"], earlyStop: true },
    factorization: "asvd", clustering: "ksubspaces",
  },
  { model: "hf:org/name", dataset: "fever:/data/fever", strategy: "laser", settings: { validationFraction: 0.25, evaluateShardSize: 4, sampleShardSize: 64, batchSize: 8, chunkSize: 16 } },
  { model: "m", dataset: "d.jsonl", strategy: "grads-std-eval", factorization: "fwsvd", settings: { scoreShardSize: 2 } },
  { model: "m", dataset: "d.jsonl", strategy: "100-eval", task: { lengthNormalise: true } },
  { model: "m", dataset: "d.jsonl", strategy: "laser-100g-100e", clustering: "blocks", factorization: "svd" },
];

/** Resolve, then read back the way a restarted coordinator does: what was accepted must replan the same job. */
export function checkSpec(input: unknown): JobSpec {
  const spec = resolveSpec(input as never);
  const stored = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  let again: JobSpec;
  try {
    again = specFromRecord(stored);
    phasesFor(again.settings);
  } catch (e) {
    throw new Error(`accepted spec does not survive the store round trip: ${(e as Error).message}`);
  }
  if (JSON.stringify(again) !== JSON.stringify(spec)) throw new Error(`accepted spec changes on the store round trip: ${JSON.stringify(spec).slice(0, 200)}`);
  return spec;
}

export const jobSpecSurface: Surface<Json[]> = {
  name: "job-spec",
  title: "job spec JSON (strategy, settings, task, factorization) → resolveSpec + store round trip",
  codes: [ErrorCode.INVALID_ARGUMENT],
  setup: async () => VALID_SPECS,
  generate(rng, specs): FuzzInput {
    const base = rng.pick(specs);
    if (rng.chance(0.85)) {
      const m = mutateJson(base, rng);
      return { files: {}, what: m.what, data: serialise(m.value, rng) };
    }
    const m = mutateText(JSON.stringify(base), rng);
    return { files: {}, what: `text: ${m.what}`, data: new TextDecoder().decode(m.value) };
  },
  async feed(input) {
    checkSpec(parseSpecJson(input.data as string));
  },
};
