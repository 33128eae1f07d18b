// `c2i eval`: accuracy and loss of a model on a dataset split, through the same ShardExecutor the agents run.
import { resolveDemoRefs } from "../../agent/demo/ref.ts";
import { startLocalEngine, type LocalEngine } from "../../agent/work/local-engine.ts";
import { createLogger } from "../../common/log.ts";
import type { EvaluateResult, PrepareResult, SampleSelection, WorkRef } from "../../common/shards.ts";
import { adaptTestSplit } from "../../common/split.ts";
import type { Command } from "../command.ts";
import { computeFlags, memoryBudget, oneOf, output, parseFlags, parseInteger, requireString } from "../command.ts";

/** Flags shared by eval and score (score imports these). */
export const engineFlags = {
  model: { type: "string" },
  dataset: { type: "string" },
  split: { type: "string" },
  seed: { type: "string" },
  "adapt-size": { type: "string" },
  "test-size": { type: "string" },
  backend: { type: "string" },
  svd: { type: "string" },
  blas: { type: "string" },
  "cache-dir": { type: "string" },
  template: { type: "string" },
  "memory-gib": { type: "string" },
  json: { type: "boolean" },
} as const;

export const engineEnv = {
  model: "C2I_MODEL",
  dataset: "C2I_DATASET",
  seed: "C2I_SEED",
  backend: "C2I_BACKEND",
  svd: "C2I_SVD",
  blas: "C2I_BLAS",
  "cache-dir": "C2I_CACHE",
  "memory-gib": "C2I_MEMORY_GIB",
} as const;

export const engineUsage = `  --model       checkpoint directory, hf:<org>/<name>, or "demo"   (env C2I_MODEL)
  --dataset     JSONL file (or loader:path), or "demo"                  (env C2I_DATASET)
  --seed        seed of the adaptation/test split (default 0)         (env C2I_SEED)
  --adapt-size  size of the adaptation set (default 100)
  --test-size   a seeded subset of the test rows, as \`c2i adapt --test-size\` takes it (default all)
  --backend     auto|tensorflow-gpu|tensorflow|wasm|cpu (default auto) (env C2I_BACKEND)
  --svd         auto|lapack|typescript (default auto)                  (env C2I_SVD)
  --blas        auto|off (default auto)                                (env C2I_BLAS)
  --cache-dir   where "demo" is generated (default ~/.cache/c2i)       (env C2I_CACHE)
  --template T  prompt template of a named dataset (loader:path), e.g. "Q: {question} A:"
  --memory-gib N  memory the model may be planned for, GiB (weights, scratch, activations, layer cache); a model
                whose plan does not fit is refused before loading (default 80% of the machine's memory, or of its
                container's limit)   (env C2I_MEMORY_GIB)
  --json        print JSON`;

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface OpenedEngine {
  engine: LocalEngine;
  ref: WorkRef;
  prepared: PrepareResult;
}

/** Backend, SVD and executor from flags/env, the refs resolved, and the prepare shard run. */
export async function openEngine(values: Values, jobId: string): Promise<OpenedEngine> {
  const memoryBudgetBytes = memoryBudget(values["memory-gib"]).bytes;
  const refs = resolveDemoRefs(requireString(values, "model"), requireString(values, "dataset"), values["cache-dir"] as string | undefined);
  const logger = createLogger(`c2i-${jobId}`, { level: process.env.C2I_LOG_LEVEL ?? "warn" });
  const engine = await startLocalEngine({ ...computeFlags(values), logger, executor: { memoryBudgetBytes } });
  try {
    const ref: WorkRef = { jobId, model: refs.model, dataset: refs.dataset };
    if (typeof values.template === "string") ref.task = { template: values.template };
    const prepared = (await engine.executor.run({ kind: "prepare", shardId: `${jobId}-prepare`, ref })) as PrepareResult;
    return { engine, ref, prepared };
  } catch (e) {
    await engine.close();
    throw e;
  }
}

export type SplitName = "adapt" | "test" | "all";

/** Checks --split, --seed and --adapt-size before any model is loaded. */
export function parseSplit(values: Values, allowed: readonly SplitName[], fallback: SplitName): SplitChoice {
  const split = oneOf(values.split, "split", allowed, fallback);
  const seed = values.seed === undefined ? 0 : parseInteger(String(values.seed), "seed");
  const adaptSize = values["adapt-size"] === undefined ? 100 : parseInteger(String(values["adapt-size"]), "adapt-size", 1);
  const testSize = values["test-size"] === undefined ? undefined : parseInteger(String(values["test-size"]), "test-size", 1);
  return { split, seed, adaptSize, ...(testSize === undefined ? {} : { testSize }) };
}

export interface SplitChoice {
  split: SplitName;
  seed: number;
  adaptSize: number;
  /** The search's `--test-size`: a seeded subset of the test rows. @default every test row */
  testSize?: number;
}

/** The rows of a split: "all" = every row in file order; adapt/test = the seeded split of METHOD.md. */
export function selectRows(choice: SplitChoice, rows: number): SampleSelection {
  if (choice.split === "all") return { name: "all", indices: Array.from({ length: rows }, (_, i) => i) };
  const parts = adaptTestSplit(rows, { adaptSize: choice.adaptSize, testSize: choice.testSize, seed: choice.seed });
  return { name: choice.split, indices: choice.split === "adapt" ? parts.adapt : parts.test };
}

const usage = `usage: c2i eval --model M --dataset D [--split adapt|test|all] [--seed S] [--adapt-size N] [--test-size N] [--json]
  --split       adapt (the seeded 100), test (the rest) or all (every row, file order; default)
${engineUsage}
  JSON: {"accuracy", "loss", "n", "correct", "split", "seed", "protocol", "model", "dataset", "backend", "svd", "seconds"}`;

export const evalCommand: Command = {
  name: "eval",
  summary: "accuracy and loss of a model on a dataset (split adapt|test|all)",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, engineFlags, engineEnv);
    const choice = parseSplit(values, ["adapt", "test", "all"], "all");
    const t0 = performance.now();
    const { engine, ref, prepared } = await openEngine(values, "eval");
    try {
      const samples = selectRows(choice, prepared.rows);
      const result = (await engine.executor.run({ kind: "evaluate", shardId: "eval-0", ref, samples: { name: samples.name, indices: samples.indices }, candidates: [null] })) as EvaluateResult;
      const e = result.evaluations[0]!;
      const report = {
        accuracy: e.accuracy,
        loss: e.loss,
        n: e.n,
        correct: e.correct,
        split: samples.name,
        seed: choice.seed,
        protocol: prepared.protocol,
        model: ref.model,
        dataset: ref.dataset,
        backend: engine.backend,
        svd: engine.svd.name,
        seconds: (performance.now() - t0) / 1000,
      };
      output(values.json === true, report, () =>
        `${report.split}: accuracy ${(100 * e.accuracy).toFixed(2)}% (${e.correct}/${e.n})  loss ${e.loss.toFixed(4)}  [${prepared.protocol}, ${engine.backend}, ${report.seconds.toFixed(1)} s]`,
      );
      return 0;
    } finally {
      await engine.close();
    }
  },
};
