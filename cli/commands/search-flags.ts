// The search's flags, shared by `c2i adapt` and `c2i sweep`: settings overrides and the job spec fields beside them.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { ScoreSign, type SearchSettings } from "../../coordinator/plan/settings.ts";
import type { JobSpecInput } from "../../coordinator/plan/spec.ts";
import type { JobRecord } from "../../coordinator/store/types.ts";
import { oneOf, parseInteger, parseNumberList } from "../command.ts";

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export const searchFlags = {
  seed: { type: "string" }, "adapt-size": { type: "string" }, "test-size": { type: "string" },
  "top-m": { type: "string" }, smallest: { type: "string" }, rates: { type: "string" }, blocks: { type: "string" },
  layers: { type: "string" }, kinds: { type: "string" }, "early-stop": { type: "boolean" }, "score-sign": { type: "string" },
  template: { type: "string" }, factorization: { type: "string" }, clustering: { type: "string" },
  "score-shard-size": { type: "string" },
} as const;

export const searchUsage = `  --seed         seed of the 100-sample adaptation split (default 0)
  --adapt-size, --test-size, --top-m, --smallest, --rates 0.1,0.9,…, --blocks 1,2,4,8, --layers 0,1,…, --kinds mlp_in,mlp_out
                 search settings (METHOD.md defaults)
  --score-sign positive|negative  which σ-gradients the matrix score sums: the positive ones (the directions whose
                 shrinking lowers the loss to first order; METHOD.md), or the negative ones (the paper's literal
                 wording, an ablation)   (default positive)
  --early-stop   stop evaluating a candidate once it cannot reach the best accuracy so far (faster; the chosen
                 edit is the same, but stopped candidates' numbers cover fewer samples and depend on evaluation
                 order and agent count, which is why it is off by default)
  --factorization svd|fwsvd|asvd  which weighting each truncation minimises its error in: plain SVD, Fisher-weighted
                 rows (from the adaptation set's gradients) or activation-aware columns (its inputs); the recipe
                 records the scales so \`c2i apply\` redoes the edit without the samples   (default svd)
  --clustering blocks|ksubspaces  rows split into K contiguous blocks, or K-subspaces (the paper's "optimal
                 clustering", slower)   (default blocks)
  --score-shard-size N  matrices per score shard (default 8). Each shard costs its agent one forward and backward
                 pass over the adaptation set whatever N, so on a large model give candidates ÷ agents (e.g. 154 for
                 a 1B Llama on one agent) to pay one pass per agent; the scores do not depend on N
  --template T   prompt template of a named dataset (loader:path), e.g. "Q: {question} A:"; see c2i datasets`;

/** Flags → settings overrides; only flags the user gave override the strategy's preset. */
export function settingsFrom(v: Values): Partial<SearchSettings> {
  const s: Partial<SearchSettings> = {};
  const str = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  if (str("seed")) s.seed = parseInteger(str("seed")!, "seed");
  if (str("adapt-size")) s.adaptSize = parseInteger(str("adapt-size")!, "adapt-size", 1);
  if (str("test-size")) s.testSize = parseInteger(str("test-size")!, "test-size", 1);
  if (str("top-m")) s.topM = parseInteger(str("top-m")!, "top-m", 1);
  if (str("smallest")) s.smallest = parseInteger(str("smallest")!, "smallest", 1);
  if (str("rates")) s.rates = parseNumberList(str("rates")!, "rates");
  if (str("blocks")) s.blockCounts = parseNumberList(str("blocks")!, "blocks");
  if (str("layers")) s.layers = parseNumberList(str("layers")!, "layers");
  if (str("kinds")) s.kinds = str("kinds")!.split(",").map((k) => k.trim()).filter(Boolean);
  if (v["early-stop"] === true) s.earlyStop = true;
  if (str("score-shard-size")) s.scoreShardSize = parseInteger(str("score-shard-size")!, "score-shard-size", 1);
  const sign = oneOf(v["score-sign"], "score-sign", Object.values(ScoreSign));
  if (sign) s.scoreSign = sign;
  return s;
}

/** The spec fields beside the settings: the prompt template, the factorization and the row clustering. */
export function jobOptionsFrom(v: Values): Pick<JobSpecInput, "task" | "factorization" | "clustering"> {
  return {
    ...(typeof v.template === "string" ? { task: { template: v.template } } : {}),
    ...(typeof v.factorization === "string" ? { factorization: v.factorization } : {}),
    ...(typeof v.clustering === "string" ? { clustering: v.clustering } : {}),
  };
}

/** A job that ended failed or cancelled, as the error the user sees: the record keeps "CODE: message". */
export function jobFailure(what: string, done: JobRecord): C2iError {
  const m = /^([A-Z_]+): ([\s\S]*)$/.exec(done.error ?? "");
  const code = m && m[1]! in ErrorCode ? (m[1] as ErrorCode) : done.state === "cancelled" ? ErrorCode.JOB_CANCELLED : ErrorCode.SHARD_FAILED;
  return new C2iError(code, `${what} ${done.state}: ${m ? m[2] : done.error ?? "no detail"}`);
}
