// Element types of safetensors files and the exact float16/bfloat16 <-> float32 conversions.

/** The float types c2i reads (converted to float32) and writes. */
export type Dtype = "F32" | "F16" | "BF16";

/**
 * Every dtype the safetensors format defines, with its byte size. Files holding the non-float
 * ones (e.g. an I64 `position_ids` buffer) are valid: those tensors are validated and listed apart.
 */
export const STORED_DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
} as const;

export type StoredDtype = keyof typeof STORED_DTYPE_BYTES;

export function isStoredDtype(s: unknown): s is StoredDtype {
  return typeof s === "string" && Object.prototype.hasOwnProperty.call(STORED_DTYPE_BYTES, s);
}

export function isFloatDtype(s: unknown): s is Dtype {
  return s === "F32" || s === "F16" || s === "BF16";
}

export function dtypeBytes(dtype: StoredDtype): number {
  return STORED_DTYPE_BYTES[dtype];
}

/** A float tensor's values as stored: float32 itself, or the raw 16-bit words of F16/BF16. */
export type StoredFloats = { dtype: "F32"; data: Float32Array } | { dtype: "F16" | "BF16"; data: Uint16Array };

let f16Table: Uint32Array | undefined;

/**
 * All 65536 half-precision values as float32 bit patterns (256 KiB, built once on first use). Bits,
 * not numbers: a signalling NaN read into a JS number may come back quieted.
 */
function halfTable(): Uint32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      bits[h] = sign | 0x7f800000 | (mant << 13); // inf / NaN with its payload
    } else if (exp === 0) {
      table[h] = (sign ? -1 : 1) * mant * 2 ** -24; // zero and subnormals are exact in f32
    } else {
      bits[h] = sign | ((exp + 112) << 23) | (mant << 13);
    }
  }
  f16Table = bits;
  return bits;
}

/** Decode little-endian float16 values into `out` (same length), bit-exactly (NaN payloads kept). */
export function decodeF16(src: Uint16Array, out: Float32Array): void {
  const table = halfTable();
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = table[src[i]!]!;
}

/** Decode little-endian bfloat16 values into `out` (bfloat16 is the top half of a float32). */
export function decodeBF16(src: Uint16Array, out: Float32Array): void {
  // Int32, not Uint32: `<< 16` gives an int32, and storing a negative one into a Uint32Array takes V8's slow path
  // (4–5 ns per value on real, random-sign weights; bench/scale/widen.ts).
  const bits = new Int32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
}

/** float32 → float16, round to nearest even; overflow goes to ±inf, NaN payloads keep their top bits. */
export function encodeF16(src: Float32Array, out: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    const mant = x & 0x7fffff;
    if (exp === 0xff) {
      // inf stays inf; NaN keeps its top payload bits and stays a NaN
      out[i] = sign | 0x7c00 | (mant ? (mant >>> 13) || 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // below half the smallest subnormal: rounds to zero
        continue;
      }
      const m = mant | 0x800000; // implicit leading one
      const shift = 14 - e;
      let h = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rem > halfway || (rem === halfway && (h & 1))) h++;
      out[i] = sign | h;
    } else {
      let h = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++; // a carry into the exponent is correct rounding
      out[i] = sign | h;
    }
  }
}

/** float32 → bfloat16, round to nearest even; NaN stays NaN. */
export function encodeBF16(src: Float32Array, out: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) {
    const x = bits[i]!;
    if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) {
      const h = x >>> 16;
      out[i] = h & 0x7f ? h : h | 0x40; // NaN stays NaN; a payload that survives truncation is kept
      continue;
    }
    const rounded = x + 0x7fff + ((x >>> 16) & 1);
    out[i] = (rounded >>> 16) & 0xffff;
  }
}

/** Stored floats as float32: the F32 array itself, or F16/BF16 words decoded into a new array. */
export function widenStored(stored: StoredFloats): Float32Array {
  if (stored.dtype === "F32") return stored.data;
  const out = new Float32Array(stored.data.length);
  (stored.dtype === "BF16" ? decodeBF16 : decodeF16)(stored.data, out);
  return out;
}
