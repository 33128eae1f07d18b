// c2i vs LASER on the same model and dataset, side by side in one run: speed-up ratio and both test accuracies.
// Usage: npx tsx bench/speedup/run.ts [--model demo] [--dataset demo] [--agents 2] [--rounds 2] [--strategies c2i,laser,laser-100g-100e] [--early-stop] [--demo-layers N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEMO_SEED } from "../../agent/demo/construction.ts";
import { DEMO_REF, resolveDemoRefs } from "../../agent/demo/ref.ts";
import { writeDemo } from "../../agent/demo/write.ts";
import { createLogger } from "../../common/log.ts";
import { MemoryEventBusImpl } from "../../coordinator/events/memory.ts";
import { JobServiceImpl } from "../../coordinator/jobs/service.ts";
import type { ResultDocument } from "../../coordinator/plan/result.ts";
import { LocalAgentPoolImpl } from "../../coordinator/pool/local.ts";
import { MemoryJobStoreImpl } from "../../coordinator/store/memory.ts";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "demo" },
    dataset: { type: "string", default: "demo" },
    agents: { type: "string", default: "2" },
    rounds: { type: "string", default: "2" },
    strategies: { type: "string", default: "c2i,laser,laser-100g-100e" },
    "cache-dir": { type: "string" },
    /** Agents stop a candidate once it cannot match the baseline (same setting for every strategy). */
    "early-stop": { type: "boolean", default: false },
    /** Depth of the generated demo: > 2 writes a deeper demo (extra near-identity layers) to a temp dir and uses it for "demo". */
    "demo-layers": { type: "string" },
  },
});
const demoLayers = values["demo-layers"] === undefined ? undefined : Number(values["demo-layers"]);
if (demoLayers !== undefined && (!Number.isInteger(demoLayers) || demoLayers < 2)) throw new Error(`--demo-layers expects an integer ≥ 2, got "${values["demo-layers"]}"`);
const deepDir = demoLayers === undefined ? undefined : mkdtempSync(join(tmpdir(), `c2i-bench-demo-L${demoLayers}-`));
const deep = deepDir === undefined ? undefined : writeDemo(deepDir, DEMO_SEED, { layers: demoLayers });
const refs = deep
  ? { model: values.model === DEMO_REF ? deep.model : values.model!, dataset: values.dataset === DEMO_REF ? deep.dataset : values.dataset! }
  : resolveDemoRefs(values.model!, values.dataset!, values["cache-dir"]);
const strategies = values.strategies!.split(",");
const rounds = Number(values.rounds);
const logger = createLogger("bench-speedup", { level: "warn" });

const pool = await LocalAgentPoolImpl.start({ agents: Number(values.agents), agent: { logLevel: "warn" }, logger });
const store = new MemoryJobStoreImpl();
const bus = new MemoryEventBusImpl();
const service = new JobServiceImpl({ store, bus, pool, logger });
const runs = new Map<string, ResultDocument[]>(strategies.map((s) => [s, []]));
try {
  // Warm-up, not counted: the agents compile wasm, load the model and JIT the hot loops once.
  // c2i with every block count and one rate touches every code path both strategies use.
  const warm = await service.submit({ model: refs.model, dataset: refs.dataset, strategy: "c2i", settings: { rates: [0.5], topM: 1 } });
  await service.wait(warm.id);
  // Alternate the order every round so warm-up (JIT, page cache) does not favour one strategy.
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? strategies : [...strategies].reverse();
    for (const strategy of order) {
      const job = await service.submit({ model: refs.model, dataset: refs.dataset, strategy, settings: { earlyStop: values["early-stop"] } });
      const done = await service.wait(job.id);
      if (done.state !== "succeeded") throw new Error(`${strategy}: ${done.state} ${done.error ?? ""}`);
      const r = done.result as unknown as ResultDocument;
      runs.get(strategy)!.push(r);
      process.stderr.write(`round ${round + 1} ${strategy}: ${(r.totalMs / 1000).toFixed(1)} s\n`);
    }
  }
} finally {
  await service.close();
  await pool.close();
  await bus.close();
  await store.close();
  if (deepDir) rmSync(deepDir, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const laserSeconds = median(runs.get("laser")?.map((r) => r.totalMs / 1000) ?? [NaN]);
const first = runs.get(strategies[0]!)![0]!;
console.log(`model ${refs.model} (${first.model.type}${demoLayers ? `, ${demoLayers}-layer demo` : ""}), dataset ${refs.dataset} (${first.dataset.rows} rows), ${values.agents} local agents (${first.agents[0]?.backend}, ${first.agents[0]?.svd}), ${rounds} rounds after one untimed warm-up job, median wall time${values["early-stop"] ? ", early stop on" : ""}`);
console.log("| strategy | seconds | speed-up vs laser | candidates | sample evaluations | selection set | test set | test acc. baseline → chosen | edit |");
console.log("| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |");
for (const [strategy, rs] of runs) {
  const r = rs[0]!;
  const secs = median(rs.map((x) => x.totalMs / 1000));
  const evals = r.candidates.reduce((s, c) => s + c.n, 0);
  const edit = r.chosen.candidate ? `${r.chosen.candidate.matrix} K=${r.chosen.candidate.blocks} ρ=${r.chosen.candidate.rate}` : "none";
  console.log(`| ${strategy} | ${secs.toFixed(1)} | ${(laserSeconds / secs).toFixed(2)}× | ${r.candidates.length} | ${evals} | ${r.sets.selection.name} (${r.sets.selection.n}) | ${r.sets.test.n} | ${pct(r.baseline.test.accuracy)} → ${pct(r.chosen.test.accuracy)} | ${edit} |`);
}
for (const [strategy, rs] of runs) {
  const r = rs[0]!;
  console.log(`${strategy} phases (round 1): ${r.phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)}s`).join(", ")}`);
}
