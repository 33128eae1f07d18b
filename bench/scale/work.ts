// The matmul work of one pass over the bench task on a ScaleShape, through bench/engine's FLOP model.
import type { ModelConfig } from "../../agent/models/types.ts";
import { passFlops, type PassFlops } from "../engine/flops.ts";
import { microBatches } from "../engine/workload.ts";
import { dims, matrixParamsPerLayer, type ScaleShape } from "./shapes.ts";

/** c2i's batching: 16 sequences per forward pass (common/shards.ts Batching), right-padded. */
const BATCH = 16;

/** FLOPs of a forward evaluation and of a gradient pass (∂L/∂W for every candidate) over rows of these token counts. */
export function passFlopsFor(shape: ScaleShape, lengths: readonly number[], answerTokens: number): PassFlops {
  const { d, vocab } = dims(shape);
  const config = { numLayers: shape.layers, hiddenSize: d, vocabSize: vocab } as ModelConfig;
  const samples = lengths.map((n) => ({ ids: new Array<number>(n).fill(0), answer: answerTokens }));
  return passFlops(config, matrixParamsPerLayer(shape), microBatches(samples, BATCH));
}
