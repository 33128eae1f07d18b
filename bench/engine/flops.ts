// FLOP count of the gradient pass and of a forward evaluation, from the model shape (the work that must be done).
import type { ModelConfig } from "../../agent/models/types.ts";
import type { MicroBatch } from "./workload.ts";

export interface PassFlops {
  forward: number;
  /** forward + backward for the candidate matrices (dW for each, dX along the path to them). */
  gradient: number;
  /** forward + backward without any dW (dX only): the pass that projects σ-gradients (agent/models/sigma-sum.ts); its projections excluded. */
  projected: number;
}

/**
 * Per micro-batch of B rows padded to T (N = B·T tokens computed), with Pc the parameters of the
 * candidate matrices per layer and P answer positions:
 * forward  = L·(2·N·Pc + 4·B·T²·d) + 2·P·d·V
 * backward = L·(2·2·N·Pc + 2·4·B·T²·d) − 2·N·d·3d (layer 0's c_attn needs no dX) + 2·P·d·V (dX of the head only)
 */
export function passFlops(config: ModelConfig, candidateParamsPerLayer: number, batches: readonly MicroBatch[]): PassFlops {
  const { numLayers: L, hiddenSize: d, vocabSize: V } = config;
  let forward = 0;
  let backward = 0;
  let weightGradients = 0;
  for (const mb of batches) {
    const B = mb.batch.batch;
    const T = mb.batch.length;
    const N = B * T;
    const P = mb.positions.length;
    const layerFwd = 2 * N * candidateParamsPerLayer + 4 * B * T * T * d;
    forward += L * layerFwd + 2 * P * d * V;
    backward += 2 * L * layerFwd - 2 * N * d * 3 * d + 2 * P * d * V;
    weightGradients += L * 2 * N * candidateParamsPerLayer;
  }
  return { forward, gradient: forward + backward, projected: forward + backward - weightGradients };
}
