// `c2i score`: the σ-gradient score of every candidate matrix per block count (METHOD.md), through the ShardExecutor.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { ScoreResult } from "../../common/shards.ts";
import type { Command } from "../command.ts";
import { signedScore } from "../../coordinator/plan/candidates.ts";
import { defaultSettings, ScoreSign } from "../../coordinator/plan/settings.ts";
import { oneOf, output, parseFlags, parseInteger, parseNumberList } from "../command.ts";
import { engineEnv, engineFlags, engineUsage, openEngine, parseSplit, selectRows } from "./eval.ts";

const usage = `usage: c2i score --model M --dataset D [--split adapt|all] [--blocks 1,2,4,8] [--smallest 20] [--matrices A,B] [--json]
  --split       adapt (the seeded 100; default) or all (every row, file order)
  --blocks      block counts K (default 1,2,4,8)
  --smallest    smallest singular values per block that enter the score (default 20)
  --score-sign  positive|negative: sum max(∂L/∂σ, 0) (METHOD.md, default) or max(−∂L/∂σ, 0), as \`c2i adapt --score-sign\`
  --matrices    only these candidate matrices (default: all)
${engineUsage}
  JSON: {"loss", "scoreSign", "scores": [{"matrix", "blocks", "score", "smallest": [{"block", "sigma": [ascending], "grad": [same order]}]}], ...}`;

export const scoreCommand: Command = {
  name: "score",
  summary: "σ-gradient scores of every candidate matrix per block count",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { ...engineFlags, blocks: { type: "string" }, smallest: { type: "string" }, matrices: { type: "string" }, "score-sign": { type: "string" } }, engineEnv);
    const sign = oneOf(values["score-sign"], "score-sign", Object.values(ScoreSign), defaultSettings.scoreSign);
    const blockCounts = parseNumberList(String(values.blocks ?? "1,2,4,8"), "blocks");
    if (blockCounts.some((k) => !Number.isInteger(k) || k < 1)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--blocks expects positive integers, got "${String(values.blocks)}"`);
    const smallest = parseInteger(String(values.smallest ?? "20"), "smallest", 1);
    const choice = parseSplit(values, ["adapt", "all"], "adapt");
    const t0 = performance.now();
    const { engine, ref, prepared } = await openEngine(values, "score");
    try {
      const names = prepared.candidates.map((c) => c.name);
      const matrices = values.matrices === undefined ? names : String(values.matrices).split(",").map((s) => s.trim());
      for (const m of matrices) {
        if (!names.includes(m)) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--matrices: ${m} is not a candidate matrix of ${ref.model}; candidates are e.g. ${names.slice(0, 3).join(", ")}`);
      }
      const samples = selectRows(choice, prepared.rows);
      const result = (await engine.executor.run({
        kind: "score",
        shardId: "score-0",
        ref,
        samples: { name: samples.name, indices: samples.indices },
        matrices,
        blockCounts,
        smallest,
      })) as ScoreResult;
      // The agent returns the spectra; the sign's score is computed from them as the coordinator does.
      const scores = result.scores.map((s) => signedScore(s, sign));
      const report = {
        loss: result.loss,
        scoreSign: sign,
        scores,
        split: samples.name,
        seed: choice.seed,
        n: samples.indices.length,
        model: ref.model,
        dataset: ref.dataset,
        backend: engine.backend,
        svd: engine.svd.name,
        seconds: (performance.now() - t0) / 1000,
        /** Where the shard's time went (ms): svdMs (factors), gradientMs (the pass), scoreMs. */
        timings: result.timings,
      };
      output(values.json === true, report, () => {
        const width = Math.max(6, ...matrices.map((m) => m.length));
        const lines = [...scores]
          .sort((a, b) => a.blocks - b.blocks || b.score - a.score || (a.matrix < b.matrix ? -1 : 1))
          .map((s) => `  K=${String(s.blocks).padEnd(2)} ${s.matrix.padEnd(width)}  ${s.score.toExponential(4)}`);
        return [`loss ${result.loss.toFixed(4)} on ${samples.name} (${samples.indices.length} samples), ${engine.backend}, ${engine.svd.name}, ${report.seconds.toFixed(1)} s`, ...lines].join("\n");
      });
      return 0;
    } finally {
      await engine.close();
    }
  },
};
