// `c2i probe`: layer-wise MLP probes with control tasks, before and after a recipe's edit or a uniform compression.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fingerprintCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { compressModel, LayerSelection } from "../../agent/compress/uniform.ts";
import { resolveDemoRefs } from "../../agent/demo/ref.ts";
import { FactorizationName } from "../../agent/linalg/factorizations/types.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { loadModel } from "../../agent/models/load.ts";
import { ControlKind } from "../../agent/probe/control.ts";
import { applyRecipeInMemory } from "../../agent/probe/edits.ts";
import { probeFeatures } from "../../agent/probe/features.ts";
import { probeFromFeatures, type ProbeRun } from "../../agent/probe/probe.ts";
import { probeHtml } from "../../agent/probe/report.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { createLogger } from "../../common/log.ts";
import { mulberry32, shuffleInPlace } from "../../common/random.ts";
import { parseRecipe } from "../../common/recipe.ts";
import type { Command } from "../command.ts";
import { computeFlags, oneOf, output, parseFlags, parseInteger, parseNumberList, requireString } from "../command.ts";

const usage = `usage: c2i probe --model M --dataset D [--layers 0,1,…] [--recipe R | --ratio r --factorization f] [--out DIR] [--json]
  --model          checkpoint directory, hf:<org>/<name>, or "demo"   (env C2I_MODEL)
  --dataset        JSONL file (or loader:path), or "demo"   (env C2I_DATASET)
                   labels: the gold choice (choice datasets) or the answer's first token (generative ones)
  --layers         hidden states to probe: 0 = embeddings, i = after layer i (default all)
  --recipe         recipe.json: probe before and after its edit
  --ratio, --factorization, --compress-layers   probe before and after a uniform compression (see c2i compress)
  --control        type (labels by word type: the prompt's rarest token) | random   (default type)
  --size           samples probed, a seeded subset (default min(rows, 1000))   --seed (default 0)
  --steps, --hidden  probe training steps (default 150) and hidden width (default 64)
  --out            write probe.html (SVG plot + tables) and probe.json there
  --backend, --svd, --cache-dir   as for c2i compress
  --json           print the runs as JSON`;

const flags = {
  model: { type: "string" }, dataset: { type: "string" }, layers: { type: "string" }, recipe: { type: "string" },
  ratio: { type: "string" }, factorization: { type: "string" }, "compress-layers": { type: "string" }, control: { type: "string" },
  size: { type: "string" }, seed: { type: "string" }, steps: { type: "string" }, hidden: { type: "string" }, out: { type: "string" },
  backend: { type: "string" }, svd: { type: "string" }, blas: { type: "string" }, "cache-dir": { type: "string" }, json: { type: "boolean" },
} as const;

function describe(runs: { label: string; run: ProbeRun }[]): string {
  const p = (v: number) => v.toFixed(3);
  return runs
    .map(({ label, run }) =>
      [`${label}: ${run.test} test samples, ${run.classes} classes, control=${run.control}, majority ${p(run.majority)}`, "  layer  task acc  task F1  control acc  selectivity",
        ...run.layers.map((l) => `  ${String(l.layer).padStart(5)}  ${p(l.task.accuracy).padStart(8)}  ${p(l.task.f1).padStart(7)}  ${p(l.control.accuracy).padStart(11)}  ${p(l.selectivity).padStart(11)}`)].join("\n"),
    )
    .join("\n");
}

export const probeCommand: Command = {
  name: "probe",
  summary: "layer-wise MLP probes with control tasks, before/after a recipe or a compression",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, flags, { model: "C2I_MODEL", dataset: "C2I_DATASET", backend: "C2I_BACKEND", svd: "C2I_SVD", blas: "C2I_BLAS", "cache-dir": "C2I_CACHE" });
    const refs = resolveDemoRefs(requireString(values, "model"), requireString(values, "dataset"), values["cache-dir"] as string | undefined);
    if (values.recipe !== undefined && values.ratio !== undefined) throw new C2iError(ErrorCode.INVALID_ARGUMENT, "--recipe and --ratio each define the edit; give one of them");
    const control = oneOf(values.control, "control", Object.values(ControlKind), ControlKind.type);
    const seed = values.seed === undefined ? 0 : parseInteger(values.seed as string, "seed");
    const logger = createLogger("c2i-probe", { level: process.env.C2I_LOG_LEVEL ?? "warn" });
    const compute = computeFlags(values);
    await selectBackend({ prefer: compute.backend, blas: compute.blas, logger });
    const svd = selectSvd({ prefer: compute.svd, logger });
    const dataset = loadDataset(refs.dataset);
    const size = values.size === undefined ? Math.min(dataset.rows.length, 1000) : Math.min(dataset.rows.length, parseInteger(values.size as string, "size", 2));
    const indices = shuffleInPlace(Array.from({ length: dataset.rows.length }, (_, i) => i), mulberry32(seed)).slice(0, size).sort((a, b) => a - b);
    const options = {
      control,
      seed,
      ...(values.layers === undefined ? {} : { layers: parseNumberList(values.layers as string, "layers") }),
      mlp: {
        ...(values.steps === undefined ? {} : { steps: parseInteger(values.steps as string, "steps", 1) }),
        ...(values.hidden === undefined ? {} : { hidden: parseInteger(values.hidden as string, "hidden", 1) }),
      },
    };
    const model = await loadModel(refs.model, { logger });
    const runs: { label: string; run: ProbeRun }[] = [];
    try {
      const tokenizer = await loadTokenizer(refs.model);
      runs.push({ label: "original", run: probeFromFeatures(probeFeatures(model, tokenizer, dataset, indices), options) });
      if (values.recipe !== undefined) {
        const file = values.recipe as string;
        const recipe = parseRecipe(readFileSync(file, "utf8"), file);
        const fingerprint = fingerprintCheckpoint(refs.model);
        if (fingerprint !== recipe.modelFingerprint) {
          throw new C2iError(ErrorCode.RECIPE_MISMATCH, `${refs.model} is not the checkpoint ${file} was made for (fingerprint ${fingerprint.slice(0, 16)}… vs ${recipe.modelFingerprint.slice(0, 16)}…)`);
        }
        const edited = applyRecipeInMemory(model, recipe, svd, file);
        runs.push({ label: edited.length === 0 ? "recipe (no edit)" : `recipe (${edited.length} edit${edited.length > 1 ? "s" : ""})`, run: probeFromFeatures(probeFeatures(model, tokenizer, dataset, indices), options) });
      } else if (values.ratio !== undefined) {
        const ratio = Number(values.ratio);
        const factorization = oneOf(values.factorization, "factorization", Object.values(FactorizationName), FactorizationName.svd);
        const calibration = indices.slice(0, Math.min(100, indices.length));
        compressModel(model, tokenizer, dataset, {
          ratio, factorization, svd, calibration,
          layers: oneOf(values["compress-layers"], "compress-layers", Object.values(LayerSelection), LayerSelection.mlp),
          logger,
        });
        runs.push({ label: `${factorization} ${ratio}`, run: probeFromFeatures(probeFeatures(model, tokenizer, dataset, indices), options) });
      }
    } finally {
      model.dispose();
    }
    if (values.out !== undefined) {
      const dir = values.out as string;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "probe.html"), probeHtml(`c2i probe: ${refs.model} on ${refs.dataset}`, runs));
      writeFileSync(join(dir, "probe.json"), JSON.stringify({ model: refs.model, dataset: refs.dataset, samples: indices.length, runs }, null, 2) + "\n");
    }
    output(values.json === true, { model: refs.model, dataset: refs.dataset, samples: indices.length, runs }, () => describe(runs));
    return 0;
  },
};
