// `c2i compress`: uniform low-rank compression (svd | fwsvd | asvd) of a model's matrices, written as a checkpoint.
import { join } from "node:path";
import { selectBackend } from "../../agent/compute/backend.ts";
import { compressModel, LayerSelection, type CompressReport } from "../../agent/compress/uniform.ts";
import { writeEditedCheckpoint } from "../../agent/work/apply.ts";
import { resolveDemoRefs } from "../../agent/demo/ref.ts";
import { AsvdMethod } from "../../agent/linalg/factorizations/activation.ts";
import { ClusteringName, FactorizationName } from "../../agent/linalg/factorizations/types.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { loadModel } from "../../agent/models/load.ts";
import { loadDataset } from "../../agent/tasks/dataset.ts";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { createLogger } from "../../common/log.ts";
import { adaptTestSplit } from "../../common/split.ts";
import type { Command } from "../command.ts";
import { computeFlags, oneOf, output, parseFlags, parseInteger, requireString } from "../command.ts";

const usage = `usage: c2i compress --model M --ratio r --out DIR [--factorization svd|fwsvd|asvd] [--layers mlp|all] [--dataset D] [--json]
  --model          checkpoint directory, hf:<org>/<name>, or "demo"   (env C2I_MODEL)
  --ratio          fraction of each matrix's rank kept, in (0, 1] (0.5 keeps half the singular values)
  --factorization  svd (plain) | fwsvd (Fisher-weighted rows) | asvd (activation-scaled columns)   (default svd)
  --layers         mlp (MLP matrices only, as the SVD-compression paper) | all candidate matrices   (default mlp)
  --dataset        JSONL file (or loader:path), or "demo": calibration samples for fwsvd/asvd and accuracy before/after   (env C2I_DATASET)
  --out            where the compressed checkpoint goes (same tensor names and dtypes; config/tokenizer copied)
  --calibration-size  calibration rows (seeded adaptation split) (default 100)
  --eval-size      held-out rows accuracy/perplexity are measured on (default all the rest)
  --seed           seed of the split (default 0)
  --blocks         row parts per matrix (default 1)        --clustering blocks|ksubspaces (default blocks)
  --asvd-method    scale (mean |x|^alpha) | cholesky (XXᵀ = LLᵀ)   (default scale)   --alpha (default 0.5)
  --fisher-chunk   samples per squared gradient of the Fisher estimate (default 1: per-sample)
  --backend        auto|tensorflow|wasm|cpu (default auto)   (env C2I_BACKEND)     --svd auto|lapack|typescript   (env C2I_SVD)
  --cache-dir      where "demo" is generated   (env C2I_CACHE)
  --json           print the report as JSON`;

const flags = {
  model: { type: "string" }, ratio: { type: "string" }, factorization: { type: "string" }, layers: { type: "string" },
  dataset: { type: "string" }, out: { type: "string" }, "calibration-size": { type: "string" }, "eval-size": { type: "string" },
  seed: { type: "string" }, blocks: { type: "string" }, clustering: { type: "string" }, "asvd-method": { type: "string" },
  alpha: { type: "string" }, "fisher-chunk": { type: "string" }, backend: { type: "string" }, svd: { type: "string" },
  blas: { type: "string" }, "cache-dir": { type: "string" }, json: { type: "boolean" },
} as const;

function number(value: unknown, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--${flag} expects a number, got "${String(value)}"`);
  return n;
}

function describe(r: CompressReport, out: string): string {
  const p = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `${r.factorization} compression of ${r.matrices.length} ${r.layers} matrices to ${r.ratio} of their rank (K=${r.blocks}, ${r.clustering})`,
    `  parameters of those matrices: ${r.parameters.compressedDense} dense → ${r.parameters.compressedLowRank} as low-rank factors; all candidate matrices ${r.parameters.candidates} → ${r.parameters.candidatesAfter}`,
  ];
  if (r.before && r.after) {
    lines.push(`  accuracy ${p(r.before.accuracy)} → ${p(r.after.accuracy)}, loss ${r.before.loss.toFixed(4)} → ${r.after.loss.toFixed(4)}, perplexity ${r.before.perplexity.toFixed(3)} → ${r.after.perplexity.toFixed(3)} (${r.after.n} held-out samples)`);
  }
  lines.push(`wrote ${out}`);
  return lines.join("\n");
}

export const compressCommand: Command = {
  name: "compress",
  summary: "compress every MLP (or every) matrix to the same rank ratio with svd, fwsvd or asvd; write the checkpoint",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, flags, { model: "C2I_MODEL", dataset: "C2I_DATASET", backend: "C2I_BACKEND", svd: "C2I_SVD", blas: "C2I_BLAS", "cache-dir": "C2I_CACHE" });
    const ratio = number(requireString(values, "ratio"), "ratio", 0);
    if (!(ratio > 0 && ratio <= 1)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--ratio ${ratio} must be in (0, 1]: the fraction of each matrix's rank kept`);
    const factorization = oneOf(values.factorization, "factorization", Object.values(FactorizationName), FactorizationName.svd);
    const layers = oneOf(values.layers, "layers", Object.values(LayerSelection), LayerSelection.mlp);
    const clustering = oneOf(values.clustering, "clustering", Object.values(ClusteringName), ClusteringName.blocks);
    const asvdMethod = oneOf(values["asvd-method"], "asvd-method", Object.values(AsvdMethod), AsvdMethod.scale);
    const out = requireString(values, "out");
    const datasetRef = values.dataset as string | undefined;
    const refs = resolveDemoRefs(requireString(values, "model"), datasetRef ?? "", values["cache-dir"] as string | undefined);
    const logger = createLogger("c2i-compress", { level: process.env.C2I_LOG_LEVEL ?? "warn" });
    const compute = computeFlags(values);
    await selectBackend({ prefer: compute.backend, blas: compute.blas, logger });
    const svd = selectSvd({ prefer: compute.svd, logger });
    const dataset = datasetRef ? loadDataset(refs.dataset) : undefined;
    const split = dataset
      ? adaptTestSplit(dataset.rows.length, {
          seed: values.seed === undefined ? 0 : parseInteger(values.seed as string, "seed"),
          adaptSize: values["calibration-size"] === undefined ? Math.min(100, dataset.rows.length - 1) : parseInteger(values["calibration-size"] as string, "calibration-size", 1),
          ...(values["eval-size"] === undefined ? {} : { testSize: parseInteger(values["eval-size"] as string, "eval-size", 1) }),
        })
      : undefined;
    const model = await loadModel(refs.model, { logger });
    try {
      const tokenizer = await loadTokenizer(refs.model);
      const { report } = compressModel(model, tokenizer, dataset, {
        ratio,
        factorization,
        layers,
        blocks: values.blocks === undefined ? 1 : parseInteger(values.blocks as string, "blocks", 1),
        clustering,
        svd,
        calibration: split?.adapt,
        evaluation: split?.test,
        asvd: { method: asvdMethod, alpha: number(values.alpha, "alpha", 0.5) },
        fisherChunk: values["fisher-chunk"] === undefined ? 1 : parseInteger(values["fisher-chunk"] as string, "fisher-chunk", 1),
        logger,
      });
      const state = model.stateDict();
      const stored = new Map(report.matrices.map((m) => [m.name, state.get(m.name)!.data]));
      const files = writeEditedCheckpoint(refs.model, out, stored);
      output(values.json === true, { out, files, model: refs.model, dataset: dataset ? refs.dataset : null, svd: svd.name, ...report }, () => describe(report, join(out)));
    } finally {
      model.dispose();
    }
    return 0;
  },
};
