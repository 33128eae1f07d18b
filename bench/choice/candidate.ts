// Where one candidate's time goes in a 100-sample evaluate shard (truncate → swap in → batches → judge → swap back →
// shard round trip), for the code tree given by --root, so bench/choice/run.ts can run it on the code before and after.
// Run: npx tsx bench/choice/candidate.ts --root DIR --model HF_DIR --dataset FILE [--shards 4]
// Prints one JSON line: per-candidate milliseconds by part, averaged over the measured shards (9 candidates each).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { flag } from "../flags.ts";

const root = resolve(flag("root"));
const model = resolve(flag("model"));
const dataset = resolve(flag("dataset"));
const measured = Number(flag("shards", "4"));
const RATES = [0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 0.995];

const load = <T>(path: string): Promise<T> => import(pathToFileURL(`${root}/${path}`).href) as Promise<T>;

interface Timed {
  ms: number;
  calls: number;
}
const timers = new Map<string, Timed>();
/** Wraps `obj[key]` so its synchronous time adds to `part`. */
function time(obj: Record<string, unknown>, key: string, part: string): void {
  const f = obj[key] as (...a: unknown[]) => unknown;
  obj[key] = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return f.apply(this, args);
    } finally {
      const t = timers.get(part) ?? { ms: 0, calls: 0 };
      t.ms += performance.now() - t0;
      t.calls++;
      timers.set(part, t);
    }
  };
}

async function main(): Promise<void> {
  const { startLocalEngine } = await load<typeof import("../../agent/work/local-engine.ts")>("agent/work/local-engine.ts");
  const { silentLogger } = await load<typeof import("../../common/log.ts")>("common/log.ts");
  const { adaptTestSplit } = await load<typeof import("../../common/split.ts")>("common/split.ts");
  const { loadDataset } = await load<typeof import("../../agent/tasks/dataset.ts")>("agent/tasks/dataset.ts");
  const engine = await startLocalEngine({ logger: silentLogger() });
  const rows = loadDataset(dataset).rows.length;
  const samples = { name: "adapt", indices: adaptTestSplit(rows, { seed: 0 }).adapt };
  const ref = { jobId: "profile", model, dataset };
  const run = (shardId: string, candidates: ({ matrix: string; blocks: number; rate: number } | null)[]) =>
    engine.executor.run({ kind: "evaluate", shardId, ref, samples, candidates });
  const prepared = (await engine.executor.run({ kind: "prepare", shardId: "prepare", ref })) as { candidates: { name: string }[] };
  await run("baseline", [null]);
  // The loaded model, reached the way the shard executor holds it (job cache → loaded model), to time its parts.
  const cache = (engine.executor as unknown as { cache: { acquire(ref: unknown): Promise<{ loaded: { model: Record<string, unknown> } }> } }).cache;
  const m = (await cache.acquire(ref)).loaded.model;
  time(m, "writeMatrix", "swap");
  time(m, "readMatrix", "swap");
  time(m, "logitsAt", "forward");
  time(m, "logitsFromLayer", "forward");
  const matrices = prepared.candidates.map((c) => c.name);
  // Matrices spread evenly over the layers, as a search's candidates are (an edit of layer ℓ reruns layers ℓ…L from the layer cache).
  const shardOf = (i: number) => RATES.map((rate) => ({ matrix: matrices[Math.floor(((i + 0.5) * matrices.length) / measured)]!, blocks: 1, rate }));
  // Warm-up: SVD factors and the layer cache for the set, outside the measurement (the search pays them once per matrix).
  for (let i = 0; i < measured; i++) await run(`warm-${i}`, shardOf(i).slice(0, 2));
  timers.clear();
  let wall = 0;
  const parts: Record<string, number> = {};
  for (let i = 0; i < measured; i++) {
    const t0 = performance.now();
    const r = (await run(`measured-${i}`, shardOf(i))) as { timings: Record<string, number> };
    wall += performance.now() - t0;
    for (const [k, v] of Object.entries(r.timings)) parts[k] = (parts[k] ?? 0) + v;
  }
  const n = measured * RATES.length;
  const per = (ms: number) => Math.round((1000 * ms) / n) / 1000;
  const forward = timers.get("forward")?.ms ?? 0;
  const swap = timers.get("swap")?.ms ?? 0;
  const out = {
    candidates: n,
    perCandidateMs: {
      wall: per(wall),
      truncate: per(parts.truncateMs ?? 0),
      swap: per(swap),
      forward: per(forward),
      evaluateOther: per((parts.evaluateMs ?? 0) - forward - swap),
      shardOther: per(wall - (parts.truncateMs ?? 0) - (parts.evaluateMs ?? 0) - (parts.svdMs ?? 0)),
      svd: per(parts.svdMs ?? 0),
    },
  };
  const layerCache = engine.executor.layerCacheStats();
  await engine.close();
  const roundTrip = await agentRoundTrip(ref, samples, shardOf);
  console.log(JSON.stringify({ ...out, roundTrip, shardTimingsMs: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.round(v / measured)])), shardWallMs: Math.round(wall / measured), layerCache }));
}

/**
 * The same shards through a local agent (a child process speaking common/local-agent-protocol.ts, as `c2i adapt`
 * runs them): per shard, the parent's wall time minus the agent's own total is the protocol's round trip.
 */
async function agentRoundTrip(
  ref: { jobId: string; model: string; dataset: string },
  samples: { name: string; indices: number[] },
  shardOf: (i: number) => { matrix: string; blocks: number; rate: number }[],
): Promise<{ perShardMs: number; perCandidateMs: number; shardWallMs: number }> {
  const { LocalAgentPoolImpl } = await load<typeof import("../../coordinator/pool/local.ts")>("coordinator/pool/local.ts");
  const pool = await LocalAgentPoolImpl.start({ agents: 1, agent: { logLevel: "warn" } });
  try {
    const run = (shardId: string, candidates: ({ matrix: string; blocks: number; rate: number } | null)[]) =>
      pool.run({ kind: "evaluate", shardId, ref, samples, candidates }) as Promise<{ timings: Record<string, number> }>;
    await run("baseline", [null]);
    for (let i = 0; i < measured; i++) await run(`warm-${i}`, shardOf(i).slice(0, 2));
    let wall = 0;
    let inside = 0;
    for (let i = 0; i < measured; i++) {
      const t0 = performance.now();
      const r = await run(`measured-${i}`, shardOf(i));
      wall += performance.now() - t0;
      inside += r.timings.totalMs ?? 0;
    }
    const perShard = (wall - inside) / measured;
    return { perShardMs: Math.round(perShard * 100) / 100, perCandidateMs: Math.round((perShard / RATES.length) * 100) / 100, shardWallMs: Math.round(wall / measured) };
  } finally {
    await pool.close();
  }
}

await main();
