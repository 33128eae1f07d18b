// K-subspaces (projective clustering): rows assigned to the nearest of K rank-k subspaces, subspaces refit by SVD.
// The paper's "optimal clustering" ablation (Table 5); contiguous blocks are its cheap stand-in.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { mulberry32 } from "../../../common/random.ts";
import { blockRanges } from "../blocks.ts";
import type { Matrix } from "../matrix.ts";
import type { Svd } from "../svd/types.ts";

export interface KSubspacesOptions {
  /** Number of subspaces K (the block count). */
  parts: number;
  /** Dimension k of every subspace. @default max(1, ⌊min(⌈rows/K⌉, cols) / 4⌋) */
  rank?: number;
  /** Bound on assign/refit rounds. @default 10 */
  maxIterations?: number;
  /**
   * Start from contiguous blocks, or from K seed rows (the first drawn with `seed`, each next one the row
   * least aligned with those chosen), every row joining the seed it is most aligned with. @default "blocks"
   */
  init?: "blocks" | "seeded";
  /** Seed of the "seeded" start. @default 0 */
  seed?: number;
}

export interface KSubspacesResult {
  /** Subspace of each row, numbered by first appearance (row 0 is in subspace 0). */
  assignment: Int32Array;
  /** Σ_rows squared distance to its subspace after each refit, in order: never increases. */
  objective: number[];
  iterations: number;
  /** True when a round moved no row before the bound. */
  converged: boolean;
  rank: number;
}

/** The defaults of the settings that do not depend on the matrix (recipes record them resolved). */
export const kSubspacesDefaults = Object.freeze({ maxIterations: 10, init: "blocks", seed: 0 } as const);

export function defaultSubspaceRank(rows: number, cols: number, parts: number): number {
  return Math.max(1, Math.floor(Math.min(Math.ceil(rows / parts), cols) / 4));
}

function gather(a: Matrix, rows: number[]): Matrix {
  const n = a.cols;
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, p) => out.set(a.data.subarray(r * n, (r + 1) * n), p * n));
  return { rows: rows.length, cols: n, data: out };
}

/** Top-k right singular vectors of each part's rows (k×cols row-major, fewer when the part is smaller). */
function fit(a: Matrix, members: number[][], rank: number, svd: Svd): Matrix[] {
  return members.map((rows) => {
    const r = svd.decompose(gather(a, rows));
    const k = Math.min(rank, r.s.length);
    return { rows: k, cols: a.cols, data: r.vt.data.slice(0, k * a.cols) };
  });
}

/** ‖a_i‖² − ‖Vᵀa_i‖²: squared distance of row i to the span of V's rows (orthonormal). */
function residual(a: Matrix, i: number, basis: Matrix, norm2: number): number {
  const n = a.cols;
  const o = i * n;
  let kept = 0;
  for (let q = 0; q < basis.rows; q++) {
    let d = 0;
    const vo = q * n;
    for (let j = 0; j < n; j++) d += a.data[o + j]! * basis.data[vo + j]!;
    kept += d * d;
  }
  return Math.max(0, norm2 - kept);
}

function membersOf(assignment: Int32Array, parts: number): number[][] {
  const m: number[][] = Array.from({ length: parts }, () => []);
  assignment.forEach((c, i) => m[c]!.push(i));
  return m;
}

/** |cos| between rows i and j. */
function alignment(a: Matrix, i: number, j: number, norm2: Float64Array): number {
  const n = a.cols;
  let d = 0;
  for (let k = 0; k < n; k++) d += a.data[i * n + k]! * a.data[j * n + k]!;
  const den = Math.sqrt(norm2[i]! * norm2[j]!);
  return den === 0 ? 0 : Math.abs(d) / den;
}

/** Farthest-point seeds by angle, then every row to its most aligned seed (seeds keep their own part). */
function seededStart(a: Matrix, norm2: Float64Array, parts: number, seed: number): Int32Array {
  const rows = a.rows;
  const seeds = [Math.floor(mulberry32(seed)() * rows)];
  const best = new Float64Array(rows).fill(-1);
  const assignment = new Int32Array(rows);
  for (;;) {
    const s = seeds.length - 1;
    for (let i = 0; i < rows; i++) {
      const c = alignment(a, i, seeds[s]!, norm2);
      if (c > best[i]!) {
        best[i] = c;
        assignment[i] = s;
      }
    }
    if (seeds.length === parts) break;
    let next = -1;
    for (let i = 0; i < rows; i++) if (!seeds.includes(i) && (next < 0 || best[i]! < best[next]!)) next = i;
    seeds.push(next);
  }
  seeds.forEach((r, s) => (assignment[r] = s));
  return assignment;
}

/** Renumber parts by first appearance so equal partitions compare equal. */
function canonical(assignment: Int32Array, parts: number): Int32Array {
  const map = new Array<number>(parts).fill(-1);
  let next = 0;
  return assignment.map((c) => (map[c] === -1 ? (map[c] = next++) : map[c]!));
}

/**
 * Alternates (1) refit: each part's best rank-k subspace is the span of its top-k right singular vectors;
 * (2) assign: each row moves to the subspace nearest to it, only when strictly nearer (so ties never
 * cycle). Both steps can only lower Σ distance², hence the objective never increases. A part left empty
 * takes the row farthest from its subspace (that too lowers the objective), so all K parts stay non-empty.
 */
export function kSubspaces(a: Matrix, svd: Svd, options: KSubspacesOptions): KSubspacesResult {
  const { rows, cols } = a;
  const parts = options.parts;
  if (!Number.isInteger(parts) || parts < 1 || parts > rows) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `K-subspaces: ${parts} parts for ${rows} rows; use an integer in [1, ${rows}]`);
  }
  const rank = options.rank ?? defaultSubspaceRank(rows, cols, parts);
  const maxIterations = options.maxIterations ?? kSubspacesDefaults.maxIterations;
  if (!Number.isInteger(rank) || rank < 1) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `K-subspaces: rank ${rank} must be a positive integer`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `K-subspaces: maxIterations ${maxIterations} must be ≥ 1`);
  const norm2 = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += a.data[i * cols + j]! ** 2;
    norm2[i] = s;
  }
  const init = options.init ?? kSubspacesDefaults.init;
  let assignment = init === "seeded" ? seededStart(a, norm2, parts, options.seed ?? kSubspacesDefaults.seed) : new Int32Array(rows);
  if (init === "blocks") blockRanges(rows, parts).forEach(({ start, end }, b) => assignment.fill(b, start, end));
  const objective: number[] = [];
  let converged = false;
  let iterations = 0;
  const dist = new Float64Array(rows);
  while (iterations < maxIterations) {
    iterations++;
    const bases = fit(a, membersOf(assignment, parts), rank, svd);
    let total = 0;
    for (let i = 0; i < rows; i++) total += (dist[i] = residual(a, i, bases[assignment[i]!]!, norm2[i]!));
    objective.push(total);
    const next = Int32Array.from(assignment);
    let moved = 0;
    for (let i = 0; i < rows; i++) {
      let best = assignment[i]!;
      let bestDist = dist[i]!;
      const tol = 1e-12 * norm2[i]!;
      for (let c = 0; c < parts; c++) {
        if (c === assignment[i]) continue;
        const d = residual(a, i, bases[c]!, norm2[i]!);
        if (d < bestDist - tol) {
          best = c;
          bestDist = d;
        }
      }
      if (best !== assignment[i]) moved++;
      next[i] = best;
      dist[i] = bestDist;
    }
    const sizes = new Array<number>(parts).fill(0);
    next.forEach((c) => sizes[c]!++);
    for (let c = 0; c < parts; c++) {
      if (sizes[c]! > 0) continue;
      let far = -1;
      for (let i = 0; i < rows; i++) if (sizes[next[i]!]! > 1 && (far < 0 || dist[i]! > dist[far]!)) far = i;
      sizes[next[far]!]!--;
      next[far] = c;
      sizes[c] = 1;
      dist[far] = 0;
      moved++;
    }
    assignment = next;
    if (moved === 0) {
      converged = true;
      break;
    }
  }
  return { assignment: canonical(assignment, parts), objective, iterations, converged, rank };
}
