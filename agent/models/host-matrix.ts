// A 2-D weight kept in host memory as its checkpoint stores it (F32, F16 or BF16), outside the backend's heap.
//
// Billion-parameter models do not fit the 4 GiB wasm heap as float32 (issue 16). Matrices and embedding tables
// stay in JavaScript memory in their stored dtype and layout; the BLAS kernel (agent/compute/blas/host-matmul.ts)
// reads F32 ones in place and widens F16/BF16 ones a fixed number of rows at a time into one reused scratch buffer.
import { Bf16Widener, simdWideningAvailable } from "../checkpoint/bf16-widen.ts";
import { decodeBF16, decodeF16, encodeF16, widenStored, type StoredFloats } from "../checkpoint/dtype.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { StoredLayout } from "./layout.ts";

/**
 * Rows widened per step: about 4 Mi floats (16 MiB) of scratch whatever the matrix. Fixed, never sized from free
 * memory, because the steps split a product's sums and so its rounding: the same on every agent.
 */
export function widenRowsPerStep(cols: number): number {
  return Math.max(1, Math.floor(WIDEN_STEP_FLOATS / cols));
}
const WIDEN_STEP_FLOATS = 1 << 22;

/** One scratch for every host matrix: JavaScript is single-threaded and each use ends before the next starts. */
let scratch = new Float32Array(0);

function scratchOf(count: number): Float32Array {
  if (scratch.length < count) scratch = new Float32Array(count);
  return scratch.subarray(0, count);
}

/** BF16 rows widen in WebAssembly SIMD (5× the JavaScript loop, bench/scale/widen.ts), into the widener's own buffer. */
let bf16: Bf16Widener | null | undefined;

function widenBF16(words: Uint16Array): Float32Array {
  if (bf16 === undefined) bf16 = simdWideningAvailable() ? new Bf16Widener() : null;
  if (bf16 !== null) return bf16.widen(words);
  const out = scratchOf(words.length);
  decodeBF16(words, out);
  return out;
}

export class HostMatrix {
  private stored: StoredFloats;

  constructor(
    readonly name: string,
    /** Stored shape [rows, cols], row-major. */
    readonly shape: readonly [number, number],
    /** How the checkpoint lays it out (../layout.ts); decides which side of a product it stands on. */
    readonly layout: StoredLayout,
    stored: StoredFloats,
  ) {
    if (stored.data.length !== shape[0] * shape[1]) {
      throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${name}: ${stored.data.length} values for a [${shape}] matrix`);
    }
    this.stored = stored;
  }

  get dtype(): StoredFloats["dtype"] {
    return this.stored.dtype;
  }

  get bytes(): number {
    return this.stored.data.byteLength;
  }

  /**
   * Whether the engine's x·W (W as [in, out], ../layout.ts) reads this stored matrix transposed: nn.Linear
   * weights ([out, in]) and tables used as an output head ([vocab, hidden]) do; Conv1D weights ([in, out]) do not.
   */
  get engineTransposed(): boolean {
    return this.layout !== StoredLayout.conv1d;
  }

  /** The stored float32 values when the dtype is F32 (read in place), else undefined. */
  get float32(): Float32Array | undefined {
    return this.stored.dtype === "F32" ? this.stored.data : undefined;
  }

  /**
   * Rows [start, end) as float32, row-major: a view of the data for F32, else widened into the shared scratch,
   * valid until the next call on any host matrix.
   */
  rows(start: number, end: number): Float32Array {
    const cols = this.shape[1];
    if (this.stored.dtype === "F32") return this.stored.data.subarray(start * cols, end * cols);
    const words = this.stored.data.subarray(start * cols, end * cols);
    if (this.stored.dtype === "BF16") return widenBF16(words);
    const out = scratchOf(words.length);
    decodeF16(words, out);
    return out;
  }

  /** An owned float32 copy in the stored layout. */
  copy(): Float32Array {
    return this.stored.dtype === "F32" ? this.stored.data.slice() : widenStored(this.stored);
  }

  /** Rows `ids` of the stored table as float32 [ids.length, cols]: embedding lookups. */
  gather(ids: ArrayLike<number>): Float32Array {
    const cols = this.shape[1];
    const out = new Float32Array(ids.length * cols);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < this.shape[0])) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${this.name}: row ${id} is outside 0…${this.shape[0] - 1}`);
      out.set(this.rows(id, id + 1), i * cols);
    }
    return out;
  }

  /**
   * Replaces the values (stored layout, float32). They stay in the stored dtype when every value converts exactly
   * (restoring an original after evaluating an edit), else the matrix becomes F32: an edit is never rounded.
   */
  replace(values: Float32Array): void {
    if (values.length !== this.shape[0] * this.shape[1]) {
      throw new C2iError(ErrorCode.SHAPE_MISMATCH, `${this.name}: ${values.length} values for a [${this.shape}] matrix`);
    }
    const narrow = this.stored.dtype === "F32" ? undefined : narrowExactly(values, this.stored.dtype);
    this.stored = narrow ? { dtype: this.stored.dtype as "F16" | "BF16", data: narrow } : { dtype: "F32", data: values.slice() };
  }
}

/** `values` as F16/BF16 words when each converts back to the same float32 bits, else undefined. */
function narrowExactly(values: Float32Array, dtype: "F16" | "BF16"): Uint16Array | undefined {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  if (dtype === "BF16") {
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i]!;
      if ((b & 0xffff) !== 0) return undefined;
      out[i] = b >>> 16;
    }
    return out;
  }
  encodeF16(values, out);
  const back = new Float32Array(values.length);
  decodeF16(out, back);
  const backBits = new Uint32Array(back.buffer);
  for (let i = 0; i < bits.length; i++) if (backBits[i] !== bits[i]) return undefined;
  return out;
}
