// Row softmax of one head's T×T scores (and its backward), in place on float32 storage: the small scalar part of fused attention.

/** exp(x) rounds to float32 zero below this (e^−104 < 2^−149, the smallest float32 subnormal): masked keys skip Math.exp. */
const EXP_UNDERFLOW = -104;

/**
 * p[i·T + j] ← softmax_j(p[i·T + j] + bias[biasOffset + i·T + j]) for each row i, as tfjs' Softmax does:
 * float32 scores, the row maximum subtracted before exp, then each exp scaled by the reciprocal row sum.
 * A row whose keys are all masked (bias −1e9 everywhere) becomes uniform, exactly as the composite path.
 */
export function biasedSoftmaxRows(p: Float32Array, length: number, bias: Float32Array, biasOffset: number): void {
  const t = length;
  for (let row = 0; row < t * t; row += t) {
    const brow = biasOffset + row;
    let max = -Infinity;
    for (let j = 0; j < t; j++) {
      const s = (p[row + j] = p[row + j]! + bias[brow + j]!);
      if (s > max) max = s;
    }
    let sum = 0;
    for (let j = 0; j < t; j++) {
      const d = p[row + j]! - max;
      if (d < EXP_UNDERFLOW) {
        p[row + j] = 0;
      } else {
        p[row + j] = Math.exp(d);
        sum += p[row + j]!;
      }
    }
    // One reciprocal per row, then multiplies, as XNNPACK's softmax (the wasm backend's kernel) does.
    const inv = Math.fround(1 / Math.fround(sum));
    for (let j = 0; j < t; j++) p[row + j] = p[row + j]! * inv;
  }
}

/**
 * dP ← P ⊙ (dP − rowsum(dP ⊙ P)) in place: the softmax backward (tfjs' Softmax gradient), leaving the
 * 1/√D scale to the GEMMs that consume it. `p` is read at `pOffset`.
 */
export function softmaxBackwardRows(dp: Float32Array, p: Float32Array, pOffset: number, length: number): void {
  const t = length;
  for (let row = 0; row < t * t; row += t) {
    const prow = pOffset + row;
    let dot = 0;
    for (let j = 0; j < t; j++) dot += dp[row + j]! * p[prow + j]!;
    for (let j = 0; j < t; j++) dp[row + j] = p[prow + j]! * (dp[row + j]! - dot);
  }
}
