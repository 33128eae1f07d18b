// One loaded model and what is derived from its original weights alone: tokenizer, fingerprint, originals, SVD factors.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { factorBlocks, type BlockFactors } from "../linalg/blocks.ts";
import { factorMatrix, type FactoredMatrix } from "../linalg/factorizations/factorize.ts";
import { blocksGrouping } from "../linalg/factorizations/grouping.ts";
import type { ClusteringName, MatrixTransform } from "../linalg/factorizations/types.ts";
import { fromFloat32 } from "../linalg/matrix.ts";
import { loadSmallestSvd, type SmallestSvd } from "../linalg/svd/smallest.ts";
import { SvdName, type Svd } from "../linalg/svd/types.ts";
import type { LanguageModel, MatrixInfo } from "../models/types.ts";
import type { Tokenizer } from "../tokenizers/types.ts";

function factorBytes(f: BlockFactors): number {
  let n = 0;
  for (const { svd } of f.parts) n += svd.u.data.length + svd.s.length + svd.vt.data.length;
  return n * 8;
}

/** The cached value under `key`, marked most recently used. */
function recall<F>(cache: Map<string, { f: F; bytes: number }>, key: string): F | undefined {
  const hit = cache.get(key);
  if (!hit) return undefined;
  cache.delete(key);
  cache.set(key, hit);
  return hit.f;
}

function checkBlocks(name: string, blocks: number, rows: number): void {
  if (!Number.isInteger(blocks) || blocks < 1 || blocks > rows) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `block count ${blocks} for ${name} must be an integer in [1, ${rows}] (its rows)`);
  }
}

/** The end of a factor key that belongs to one job (FWSVD/ASVD factors from that job's own data). */
export function jobFactorKey(jobId: string): string {
  return `|job ${jobId}`;
}

/**
 * Shared by every job on the same model directory. Factors are cached per (matrix, K) and every rate is a
 * truncation of them (issue 5 item 2); they are computed from the original weights, never from an edit.
 */
export class LoadedModel {
  /** Jobs using this model; when the last is dropped the model stays loaded as idle (JobCache idleModels) or is disposed. */
  readonly jobs = new Set<string>();
  private fingerprintValue: string | undefined;
  private readonly factors = new Map<string, { f: BlockFactors; bytes: number }>();
  private readonly factored = new Map<string, { f: FactoredMatrix; bytes: number }>();
  private readonly smallestSvds = new Map<number, SmallestSvd>();
  private factorBytesTotal = 0;
  private editing: string | undefined;
  /** Factor lookups answered from the cache, and computed (SVDs run), since the model was loaded. */
  readonly factorLookups = { hits: 0, misses: 0 };

  constructor(
    readonly dir: string,
    readonly model: LanguageModel,
    readonly tokenizer: Tokenizer,
    private readonly svd: Svd,
    private readonly maxFactorBytes: number,
    private readonly fingerprintOf: (dir: string) => string,
  ) {}

  fingerprint(): string {
    return (this.fingerprintValue ??= this.fingerprintOf(this.dir));
  }

  info(name: string): MatrixInfo {
    const info = this.model.candidates.find((c) => c.name === name);
    if (!info) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${this.dir}: "${name}" is not a candidate matrix of this ${this.model.config.modelType} model; use a name from the prepare shard's candidates`);
    }
    return info;
  }

  /** The unedited weight (rows = output features), as a fresh copy. */
  original(name: string): Float32Array {
    // Read each time, never kept: outside `withEdit` the model holds the original, and keeping a float32 copy of
    // every scored matrix would double a large model's weights in memory (4.2 GB for a 1.1B model).
    if (this.editing === name) throw new C2iError(ErrorCode.INTERNAL, `${name} is being edited; originals must be read before an edit`);
    return this.model.readMatrix(name);
  }

  /** Per-block SVD factors of the original matrix for block count K. */
  factorsFor(name: string, blocks: number): BlockFactors {
    const key = `${name}|${blocks}`;
    const hit = recall(this.factors, key);
    if (hit) {
      this.factorLookups.hits++;
      return hit;
    }
    this.factorLookups.misses++;
    const info = this.info(name);
    checkBlocks(name, blocks, info.rows);
    const f = factorBlocks(fromFloat32(info.rows, info.cols, this.original(name)), blocks, this.svd);
    this.remember(this.factors, key, f, factorBytes(f));
    return f;
  }

  /**
   * Factors of a weighted and/or clustered factorization (agent/linalg/factorizations), cached like
   * `factorsFor` under `key`, which must name the transform's statistics and whose they are: the model is shared
   * by every job on it, and FWSVD/ASVD statistics belong to one job's data. The identity transform with
   * contiguous blocks reuses `factorsFor`'s factors.
   */
  factoredFor(name: string, blocks: number, options: { clustering: ClusteringName; transform: MatrixTransform; key: string; partial?: SmallestSvd }): FactoredMatrix {
    const info = this.info(name);
    const plain = options.clustering === "blocks" && Object.keys(options.transform).length === 0;
    if (plain && !options.partial) return { factors: this.factorsFor(name, blocks), transform: {}, grouping: blocksGrouping(info.rows, blocks) };
    // Partial factors (each part's smallest triplets only) have their own keys: they must never reach a truncation.
    const key = `${name}|${blocks}|${options.clustering}|${options.partial ? `smallest ${options.partial.smallest}|` : ""}${options.key}`;
    const hit = recall(this.factored, key);
    if (hit) {
      this.factorLookups.hits++;
      return hit;
    }
    this.factorLookups.misses++;
    checkBlocks(name, blocks, info.rows);
    const f = factorMatrix(fromFloat32(info.rows, info.cols, this.original(name)), this.svd, {
      blocks,
      clustering: options.clustering,
      transform: options.transform,
      ...(options.partial ? { partSvd: options.partial } : {}),
    });
    this.remember(this.factored, key, f, factorBytes(f.factors));
    return f;
  }

  /**
   * The smallest-triplet SVD (agent/linalg/svd/smallest.ts) for `smallest` pairs per part, when this model's SVD is
   * LAPACK's (the routine is LAPACK's too; a TypeScript SVD keeps its own numbers), else undefined: the score then
   * factors fully. 6–11× faster than dgesdd on 1B-model parts (bench/svd/smallest.md).
   */
  smallestSvd(smallest: number): SmallestSvd | undefined {
    if (this.svd.name !== SvdName.lapack) return undefined;
    let s = this.smallestSvds.get(smallest);
    if (s === undefined) {
      s = loadSmallestSvd({ smallest });
      this.smallestSvds.set(smallest, s);
    }
    return s;
  }

  /** Drops the factors only job `jobId` could read (keys ending in `jobFactorKey(jobId)`): they would outlive it. */
  forgetJob(jobId: string): void {
    const tag = jobFactorKey(jobId);
    for (const [k, v] of this.factored) {
      if (!k.endsWith(tag)) continue;
      this.factored.delete(k);
      this.factorBytesTotal -= v.bytes;
    }
  }

  /**
   * Keep `f` under `key`, then drop least recently used entries while the factor bytes exceed the bound.
   * The bound covers both caches, so eviction empties the other cache first, then this one (never `key`).
   */
  private remember<F>(cache: Map<string, { f: F; bytes: number }>, key: string, f: F, bytes: number): void {
    cache.set(key, { f, bytes });
    this.factorBytesTotal += bytes;
    const other: Map<string, { bytes: number }> = (cache as Map<string, unknown>) === this.factors ? this.factored : this.factors;
    for (const c of [other, cache as Map<string, { bytes: number }>]) {
      for (const [k, v] of c) {
        if (this.factorBytesTotal <= this.maxFactorBytes) return;
        if (c === cache && k === key) break;
        c.delete(k);
        this.factorBytesTotal -= v.bytes;
      }
    }
  }

  /** Run `body` with `name` temporarily replaced by `weight`; the original is restored always (also on error). */
  async withEdit<T>(name: string, weight: Float32Array, body: () => Promise<T>): Promise<T> {
    const original = this.original(name);
    this.editing = name;
    this.model.writeMatrix(name, weight);
    try {
      return await body();
    } finally {
      this.model.writeMatrix(name, original);
      this.editing = undefined;
    }
  }

  /** Bytes of SVD factors held (float64 U, σ, Vᵀ). */
  get factorBytes(): number {
    return this.factorBytesTotal;
  }

  cachedFactorKeys(): string[] {
    return [...this.factors.keys(), ...this.factored.keys()];
  }

  dispose(): void {
    this.factors.clear();
    this.factored.clear();
    this.model.dispose();
  }
}
