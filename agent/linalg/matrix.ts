// The plain float64 row-major matrix that every linear-algebra routine in c2i reads and writes.
import { C2iError } from "../../common/errors.ts";

/** A dense row-major matrix: element (i, j) is `data[i * cols + j]`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Checks that `data` holds exactly rows × cols numbers; names `what` in the error. */
export function matrix(rows: number, cols: number, data: Float64Array, what = "matrix"): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new C2iError("INVALID_ARGUMENT", `${what}: shape ${rows}×${cols} is not a pair of non-negative integers`);
  }
  if (data.length !== rows * cols) {
    throw new C2iError(
      "SHAPE_MISMATCH",
      `${what}: ${rows}×${cols} needs ${rows * cols} numbers but its data holds ${data.length}; pass the matching shape`,
    );
  }
  return { rows, cols, data };
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Widens float32 weights (as stored in checkpoints) to float64; the SVD never runs in float32. */
export function fromFloat32(rows: number, cols: number, data: Float32Array): Matrix {
  if (data.length !== rows * cols) {
    throw new C2iError(
      "SHAPE_MISMATCH",
      `fromFloat32: ${rows}×${cols} needs ${rows * cols} numbers but the float32 data holds ${data.length}`,
    );
  }
  return { rows, cols, data: Float64Array.from(data) };
}

/** Rounds back to float32, the dtype weights are written in. */
export function toFloat32(m: Matrix): Float32Array {
  return Float32Array.from(m.data);
}

/** A new matrix holding mᵀ; tiled so that both reads and writes stay in cache. */
export function transpose(m: Matrix): Matrix {
  return { rows: m.cols, cols: m.rows, data: transposeStrided(m.data, m.rows, m.cols, m.rows) };
}

/**
 * The transpose of the rows×cols row-major `data`, as cols rows of stride `ld` ≥ rows (a padded
 * stride avoids cache-set conflicts on 768- and 3072-wide work arrays), in 32×32 tiles; written
 * into `into` (≥ cols·ld doubles, padding left as is) when given.
 */
export function transposeStrided(data: Float64Array, rows: number, cols: number, ld: number, into?: Float64Array): Float64Array {
  const out = into ?? new Float64Array(cols * ld);
  const tile = 32;
  for (let i0 = 0; i0 < rows; i0 += tile) {
    const i1 = Math.min(rows, i0 + tile);
    for (let j0 = 0; j0 < cols; j0 += tile) {
      const j1 = Math.min(cols, j0 + tile);
      for (let i = i0; i < i1; i++) {
        const src = i * cols;
        for (let j = j0; j < j1; j++) out[j * ld + i] = data[src + j];
      }
    }
  }
  return out;
}

/** Rows [start, end) as a view sharing `m.data` (row-major makes row blocks contiguous). */
export function rowSlice(m: Matrix, start: number, end: number): Matrix {
  if (start < 0 || end > m.rows || start > end) {
    throw new C2iError("INVALID_ARGUMENT", `rowSlice: rows [${start}, ${end}) outside a matrix of ${m.rows} rows`);
  }
  return { rows: end - start, cols: m.cols, data: m.data.subarray(start * m.cols, end * m.cols) };
}

/** Plain product a·b; for tests, gradients and checks (the SVD has its own kernels). */
export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new C2iError("SHAPE_MISMATCH", `multiply: ${a.rows}×${a.cols} times ${b.rows}×${b.cols} do not conform`);
  }
  const out = new Float64Array(a.rows * b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const o = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const bo = k * n;
      for (let j = 0; j < n; j++) out[o + j] += aik * b.data[bo + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

export function frobeniusNorm(m: Matrix | Float64Array): number {
  const d = m instanceof Float64Array ? m : m.data;
  let scale = 0;
  for (let i = 0; i < d.length; i++) scale = Math.max(scale, Math.abs(d[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    const x = d[i] / scale;
    sum += x * x;
  }
  return scale * Math.sqrt(sum);
}
