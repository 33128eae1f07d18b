// The softmax backward of one head's T×T probabilities, in place on float32 storage (the forward uses the backend's Softmax kernel).

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
