// The one place that names how checkpoints store matrices and how the engine holds them.
//
// Method convention (METHOD.md): a matrix W maps y = W·x, so its rows are *output* features.
// - PyTorch nn.Linear stores exactly that: [out, in].                      → StoredLayout.linear
// - Hugging Face Conv1D (GPT-2) stores the transpose: [in, out].          → StoredLayout.conv1d
// - Embeddings, norms and biases are not maps of this kind.               → StoredLayout.plain
// The engine holds every matrix as [in, out], so the forward's x·W runs the backend's plain (fastest)
// matMul with no transpose; readMatrix/writeMatrix/gradients convert to rows = output features.

export const StoredLayout = {
  linear: "linear",
  conv1d: "conv1d",
  plain: "plain",
} as const;
export type StoredLayout = (typeof StoredLayout)[keyof typeof StoredLayout];

/** True when the stored tensor must be transposed to reach the engine's [in, out] layout (and back). */
export function storedIsTransposed(layout: StoredLayout): boolean {
  return layout === StoredLayout.linear;
}

/** [out, in] of a matrix from its stored shape. */
export function outIn(layout: StoredLayout, stored: readonly number[]): [number, number] {
  const [a, b] = stored as [number, number];
  return layout === StoredLayout.conv1d ? [b, a] : [a, b];
}

/** Row-major transpose of a [rows, cols] matrix. */
export function transposeF32(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  const block = 64;
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(rows, i0 + block);
    for (let j0 = 0; j0 < cols; j0 += block) {
      const j1 = Math.min(cols, j0 + block);
      for (let i = i0; i < i1; i++) {
        const src = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[src + j]!;
      }
    }
  }
  return out;
}
