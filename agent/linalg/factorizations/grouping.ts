// Row groupings: contiguous blocks or an arbitrary assignment, and the row permutations between W and its parts.
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { blockRanges } from "../blocks.ts";
import type { Matrix } from "../matrix.ts";
import type { RowGrouping } from "./types.ts";

/** K contiguous blocks, sizes differing by at most one (the same split as `blockRanges`). */
export function blocksGrouping(rows: number, blocks: number): RowGrouping {
  const ranges = blockRanges(rows, blocks);
  const assignment = new Int32Array(rows);
  ranges.forEach(({ start, end }, b) => assignment.fill(b, start, end));
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  return { order, ranges, assignment };
}

/** Parts in index order, rows inside a part in their original order; every part must be non-empty. */
export function groupingFromAssignment(assignment: ArrayLike<number>, parts: number, what = "row assignment"): RowGrouping {
  const rows = assignment.length;
  const sizes = new Array<number>(parts).fill(0);
  for (let i = 0; i < rows; i++) {
    const c = assignment[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= parts) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${what}: row ${i} is assigned to part ${c}, outside 0…${parts - 1}`);
    }
    sizes[c]!++;
  }
  const empty = sizes.findIndex((s) => s === 0);
  if (empty >= 0) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${what}: part ${empty} of ${parts} has no rows; every part needs at least one`);
  const ranges = [];
  const next: number[] = [];
  let start = 0;
  for (const s of sizes) {
    ranges.push({ start, end: start + s });
    next.push(start);
    start += s;
  }
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[next[assignment[i]!]!++] = i;
  return { order, ranges, assignment: Int32Array.from(assignment) };
}

export function isIdentityOrder(g: RowGrouping): boolean {
  for (let i = 0; i < g.order.length; i++) if (g.order[i] !== i) return false;
  return true;
}

/** The rows of `m` in grouping order (a copy; `m` itself when the order is the identity). */
export function permuteRows(m: Matrix, g: RowGrouping): Matrix {
  if (isIdentityOrder(g)) return m;
  const n = m.cols;
  const out = new Float64Array(m.data.length);
  for (let p = 0; p < g.order.length; p++) out.set(m.data.subarray(g.order[p]! * n, (g.order[p]! + 1) * n), p * n);
  return { rows: m.rows, cols: n, data: out };
}

/** Inverse of `permuteRows` for row-major data of any element type (float32 weights or float64). */
export function unpermuteRows<T extends Float32Array | Float64Array>(data: T, cols: number, g: RowGrouping): T {
  if (isIdentityOrder(g)) return data;
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let p = 0; p < g.order.length; p++) out.set(data.subarray(p * cols, (p + 1) * cols), g.order[p]! * cols);
  return out;
}
