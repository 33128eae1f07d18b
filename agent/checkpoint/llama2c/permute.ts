// RoPE layouts: llama2.c rotates interleaved pairs (2i, 2i+1); Hugging Face Llama rotates halves (i, i + d/2).

/**
 * Reorder the rows of a q or k projection [nHeads·headDim, cols] from interleaved-pair RoPE order
 * to rotate-half order, per head: new row j·(d/2) + i = old row 2i + j. This is Hugging Face's
 * `w.view(n_heads, d/2, 2, cols).transpose(1, 2).reshape(rows, cols)` (convert_llama_weights_to_hf.py);
 * for k, pass n_kv_heads.
 */
export function permuteForRotateHalf(w: Float32Array, nHeads: number, cols: number): Float32Array {
  const rows = w.length / cols;
  const headDim = rows / nHeads;
  const half = headDim / 2;
  if (!Number.isInteger(rows) || !Number.isInteger(half) || half * 2 * nHeads !== rows) {
    throw new RangeError(`cannot permute ${rows}×${cols} rows into ${nHeads} heads of even size`);
  }
  const out = new Float32Array(w.length);
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * headDim + 2 * i + j) * cols;
        const to = (h * headDim + j * half + i) * cols;
        out.set(w.subarray(from, from + cols), to);
      }
    }
  }
  return out;
}
