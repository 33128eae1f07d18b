// A deterministic stand-in for agents: a simulated model whose answers depend only on (candidate, sample), for planner/runner tests.
import { createHash } from "node:crypto";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { Candidate, CandidateMatrix, Evaluation, Shard, ShardResult } from "../../../common/shards.ts";
import type { AgentInfo, AgentPool, ResultOf, RunOptions } from "../../../coordinator/pool/types.ts";

/** A uniform number in [0, 1) from any key: the simulated model's only source of "randomness". */
function unit(...parts: (string | number)[]): number {
  return createHash("sha256").update(parts.join("|")).digest().readUInt32BE(0) / 2 ** 32;
}

export interface SimulatedModel {
  rows: number;
  layers: number;
  kinds: string[];
  /** The matrix whose edits help, and the (K, rate) where they help most. */
  good?: { matrix: string; blocks: number; rate: number };
  /** Accuracy of the unmodified model. @default 0.5 */
  baseAccuracy?: number;
}

export function matricesOf(m: SimulatedModel): CandidateMatrix[] {
  const out: CandidateMatrix[] = [];
  for (let layer = 0; layer < m.layers; layer++) for (const kind of m.kinds) out.push({ name: `h.${layer}.${kind}.weight`, layer, kind, rows: 16, cols: 8 });
  return out;
}

/** P(correct) of a candidate: the good edit raises it, others lower it slightly. */
function accuracyOf(m: SimulatedModel, c: Candidate | null): number {
  const base = m.baseAccuracy ?? 0.5;
  if (!c) return base;
  if (m.good && c.matrix === m.good.matrix) {
    return Math.min(0.95, base + 0.3 - 0.5 * Math.abs(c.rate - m.good.rate) - 0.05 * Math.abs(Math.log2(c.blocks / m.good.blocks)));
  }
  return base - 0.1 * c.rate * unit("drop", c.matrix);
}

export function evaluateSim(m: SimulatedModel, c: Candidate | null, indices: readonly number[]): Evaluation {
  const p = accuracyOf(m, c);
  let correct = 0;
  let loss = 0;
  for (const i of indices) {
    // Common random numbers: sample i is "hard" by the same amount for every candidate, so accuracy is monotone in p.
    if (unit("sample", i) < p) correct++;
    loss += 1 - p + 0.1 * unit("loss", i);
  }
  const e: Evaluation = { candidate: c, accuracy: correct / indices.length, loss: loss / indices.length, n: indices.length, correct };
  if (c) e.keptRanks = Array.from({ length: c.blocks }, () => Math.max(1, Math.floor((1 - c.rate) * Math.min(16 / c.blocks, 8) + 1e-9)));
  return e;
}

export interface SimulatedPoolOptions {
  model: SimulatedModel;
  /** Agents (capacity 1 each). @default 1 */
  agents?: number;
  /** Seed of the completion-order shuffle (each shard waits a seeded 0–4 ms). @default 0 */
  jitterSeed?: number;
  /** Shard ids that fail (with SHARD_FAILED) every time they run. */
  failing?: Set<string>;
  /** Called as each shard starts; may throw or hang (for cancellation tests). */
  onStart?: (shard: Shard) => void | Promise<void>;
}

export class SimulatedPool implements AgentPool {
  /** How many times each shard id ran. */
  readonly runs = new Map<string, number>();
  private inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly options: SimulatedPoolOptions) {}

  async run<S extends Shard>(shard: S, options: RunOptions = {}): Promise<ResultOf<S>> {
    this.runs.set(shard.shardId, (this.runs.get(shard.shardId) ?? 0) + 1);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.options.onStart?.(shard);
      const wait = Math.floor(unit("jitter", this.options.jitterSeed ?? 0, shard.shardId) * 5);
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => (clearTimeout(t), reject(new C2iError(ErrorCode.JOB_CANCELLED, "cancelled")));
        const t = setTimeout(() => (options.signal?.removeEventListener("abort", onAbort), resolve()), wait);
        options.signal?.addEventListener("abort", onAbort, { once: true });
      });
      if (this.options.failing?.has(shard.shardId)) throw new C2iError(ErrorCode.SHARD_FAILED, `simulated failure of ${shard.shardId}`);
      return this.compute(shard) as ResultOf<S>;
    } finally {
      this.inFlight--;
    }
  }

  private compute(shard: Shard): ShardResult {
    const m = this.options.model;
    switch (shard.kind) {
      case "prepare":
        return { kind: "prepare", shardId: shard.shardId, rows: m.rows, protocol: "generative", candidates: matricesOf(m), modelFingerprint: "ab".repeat(32), modelType: "sim", timings: {} };
      case "score":
        return {
          kind: "score",
          shardId: shard.shardId,
          loss: 0.5,
          scores: shard.matrices.flatMap((matrix) =>
            shard.blockCounts.map((blocks) => {
              // One positive σ-gradient per matrix (a direction whose shrinking lowers the loss), as a real agent
              // returns its spectra; `score` is the agent's own Σ max(−g, 0), which the default sign recomputes.
              const g = m.good?.matrix === matrix ? 10 + blocks : unit("score", matrix, blocks) * 5;
              return { matrix, blocks, score: 0, smallest: [{ block: 0, sigma: [0.5], grad: [g] }] };
            }),
          ),
          timings: {},
        };
      case "evaluate":
        return { kind: "evaluate", shardId: shard.shardId, evaluations: shard.candidates.map((c) => evaluateSim(m, c, shard.samples.indices)), timings: {} };
    }
  }

  agents(): AgentInfo[] {
    return Array.from({ length: this.options.agents ?? 1 }, (_, i) => ({
      id: `sim-${i}`, address: "simulated", backend: "sim", svd: "sim", state: "idle" as const, inFlight: 0, capacity: 1, cachedModels: [],
    }));
  }

  async close(): Promise<void> {}
}
