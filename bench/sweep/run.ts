// LASER-style sweep (every candidate matrix × the rate grid) with and without the layer cache, side by side in one run.
// Usage: npx tsx bench/sweep/run.ts [--arch gpt2|llama] [--layers 24] [--hidden 32] [--samples 8] [--rates 0.5,0.9] [--backend auto|wasm|cpu] [--blas auto|off]
// A 24-layer model (GPT-2 medium depth) because the saving grows with depth: ideally 2L/(L+1). LASER's full grid is
// --rates 0.1,0.2,0.4,0.6,0.8,0.9,0.95,0.99,0.995: 4.5× the run time, same ratio (every rate costs one evaluation).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startLocalEngine, type LocalEngine } from "../../agent/work/local-engine.ts";
import { silentLogger } from "../../common/log.ts";
import { mulberry32 } from "../../common/random.ts";
import type { Candidate, EvaluateResult, EvaluateShard, Evaluation, PrepareResult, WorkRef } from "../../common/shards.ts";
import { charTokenizer, writeChoiceTask, writeRandomCheckpoint } from "../../test/layercache/fixtures.ts";

const { values } = parseArgs({
  options: {
    arch: { type: "string", default: "gpt2" },
    layers: { type: "string", default: "24" },
    hidden: { type: "string", default: "32" },
    samples: { type: "string", default: "8" },
    rates: { type: "string", default: "0.5,0.9" },
    backend: { type: "string", default: "auto" },
    blas: { type: "string", default: "auto" },
  },
});
const arch = values.arch === "llama" ? "llama" : "gpt2";
const layers = Number(values.layers);
const hidden = Number(values.hidden);
const rates = values.rates!.split(",").map(Number);
const indices = Array.from({ length: Number(values.samples) }, (_, i) => i);

const root = mkdtempSync(join(tmpdir(), "c2i-bench-sweep-"));
const modelDir = writeRandomCheckpoint(join(root, "model"), { arch, layers, hidden, heads: 4, inner: 4 * hidden, seed: 11 });
const dataset = writeChoiceTask(join(root, "task.jsonl"), indices.length, 5, 40);
const ref: WorkRef = { jobId: "sweep", model: modelDir, dataset };
const logger = silentLogger();
const start = (layerCacheBytes: number) =>
  startLocalEngine({
    backend: values.backend as "auto",
    blas: values.blas as "auto",
    logger,
    executor: { layerCacheBytes, loadTokenizer: async () => charTokenizer() },
  });

type Side = { engine: LocalEngine; ms: number; evaluateMs: number; evaluations: Evaluation[] };
const off: Side = { engine: await start(0), ms: 0, evaluateMs: 0, evaluations: [] };
const on: Side = { engine: await start(512 * 2 ** 20), ms: 0, evaluateMs: 0, evaluations: [] };
try {
  const prepared = (await on.engine.executor.run({ kind: "prepare", shardId: "p", ref })) as PrepareResult;
  await off.engine.executor.run({ kind: "prepare", shardId: "p", ref });
  const samples = { name: "validation", indices };
  // Warm-up, not counted: wasm compilation and JIT on both sides.
  for (const s of [off, on]) await s.engine.executor.run({ kind: "evaluate", shardId: "w", ref: { ...ref, jobId: "warm" }, samples, candidates: [null] });
  for (const s of [off, on]) s.engine.executor.dropJob("warm");
  // One shard per matrix (its rate grid), as the LASER strategy plans; sides alternate so load changes hit both alike,
  // and matrices run in a seeded shuffled order so a load change does not fall on the shallow (little saved) or the
  // deep (much saved) layers only, which would bias the ratio of the totals.
  const random = mulberry32(17);
  const matrices = prepared.candidates.map((c) => c.name);
  for (let i = matrices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [matrices[i], matrices[j]] = [matrices[j]!, matrices[i]!];
  }
  for (const [i, matrix] of matrices.entries()) {
    const shard: EvaluateShard = { kind: "evaluate", shardId: `e${i}`, ref, samples, candidates: rates.map((rate): Candidate => ({ matrix, blocks: 1, rate })) };
    for (const side of i % 2 === 0 ? [off, on] : [on, off]) {
      const t0 = performance.now();
      const r = (await side.engine.executor.run(shard)) as EvaluateResult;
      side.ms += performance.now() - t0;
      side.evaluateMs += (r.timings.evaluateMs ?? 0) + (r.timings.layerCacheMs ?? 0);
      side.evaluations.push(...r.evaluations);
    }
    process.stderr.write(`\r${i + 1}/${matrices.length} matrices: ${(off.ms / 1000).toFixed(1)} s without, ${(on.ms / 1000).toFixed(1)} s with the layer cache`);
  }
  process.stderr.write("\n");
  let mismatches = 0;
  let worstLoss = 0;
  on.evaluations.forEach((e, i) => {
    const f = off.evaluations[i]!;
    const rel = Math.abs(e.loss - f.loss) / Math.abs(f.loss);
    worstLoss = Math.max(worstLoss, rel);
    if (e.correct !== f.correct || e.n !== f.n || !(rel <= 1e-6)) mismatches++;
  });
  const best = (list: Evaluation[]) => [...list].sort((a, b) => b.accuracy - a.accuracy || a.loss - b.loss)[0]!.candidate;
  const sameBest = JSON.stringify(best(on.evaluations)) === JSON.stringify(best(off.evaluations));
  const params = `${arch}, ${layers} layers, hidden ${hidden}, ${prepared.candidates.length} matrices × ${rates.length} rates = ${on.evaluations.length} evaluations of ${indices.length} choice samples`;
  console.log(`model: ${params}; backend ${on.engine.backend}, svd ${on.engine.svd.name}`);
  console.log(`without layer cache: ${(off.ms / 1000).toFixed(1)} s wall (evaluation ${(off.evaluateMs / 1000).toFixed(1)} s)`);
  console.log(`with layer cache:    ${(on.ms / 1000).toFixed(1)} s wall (evaluation incl. warm-up ${(on.evaluateMs / 1000).toFixed(1)} s)`);
  console.log(`speed-up: ${(off.ms / on.ms).toFixed(2)}× wall, ${(off.evaluateMs / on.evaluateMs).toFixed(2)}× evaluation (target ≥ 1.8×; the ideal for L layers and edits spread evenly is 2L/(L+1) = ${((2 * layers) / (layers + 1)).toFixed(2)}×)`);
  console.log(`results identical: ${mismatches === 0 ? "yes" : `NO (${mismatches} differ)`} (accuracy equal, worst relative loss difference ${worstLoss.toExponential(2)}); same best candidate: ${sameBest ? "yes" : "NO"}`);
  if (mismatches > 0 || !sameBest) process.exitCode = 1;
} finally {
  await off.engine.close();
  await on.engine.close();
  rmSync(root, { recursive: true, force: true });
}
