// Probe inputs: each layer's hidden state at the position that predicts the answer, with the sample's label and word type.
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { LanguageModel } from "../models/types.ts";
import type { Dataset } from "../tasks/dataset.ts";
import { encodeTask } from "../tasks/encoding.ts";
import { protocolFor } from "../tasks/select.ts";
import type { Tokenizer } from "../tokenizers/types.ts";

export interface ProbeFeatures {
  /** Hidden states [layer][sample] flattened: layers 0…L (0 = embeddings), each n × hidden, row-major. */
  layers: Float32Array[];
  hidden: number;
  n: number;
  /**
   * Class per sample: the gold choice for choice datasets; for answer datasets the answer's first token
   * (its id as a class), which is what the logits at the probed position must predict.
   */
  labels: Int32Array;
  /** Distinct label values, the class of label i is `classes[labels[i]]`. */
  classes: number[];
  /** Word type per sample (Hewitt & Liang's control tasks): the prompt's rarest token id in this set. */
  types: Int32Array;
}

export interface FeatureOptions {
  /** @default 16 */
  batchSize?: number;
  /** @default model.config.maxPositions */
  maxTokens?: number;
}

/**
 * The probed position is the first answer-predicting position of the sample's first sequence: the last
 * prompt token for decoders (for choice rows every choice shares that prefix), the mask for encoders.
 */
export function probeFeatures(model: LanguageModel, tokenizer: Tokenizer, dataset: Dataset, indices: readonly number[], options: FeatureOptions = {}): ProbeFeatures {
  if (!model.hiddenStates) throw new C2iError(ErrorCode.UNSUPPORTED_ARCH, `this ${model.config.modelType} model does not expose hidden states; probing needs them`);
  const protocol = protocolFor(dataset, model.config.causal);
  const task = encodeTask(protocol, tokenizer, dataset, indices, {
    batchSize: options.batchSize ?? 16,
    maxTokens: options.maxTokens ?? model.config.maxPositions,
    vocabSize: model.config.vocabSize,
  });
  const n = indices.length;
  const d = model.config.hiddenSize;
  const L = model.config.numLayers;
  const layers = Array.from({ length: L + 1 }, () => new Float32Array(n * d));
  const rawLabels = new Int32Array(n);
  const prompts: number[][] = new Array(n);
  for (const batch of task.batches) {
    const flat: number[] = [];
    let row = 0;
    batch.samples.forEach((sample, i) => {
      const seq = sample.sequences[0]!;
      const at = seq.positions[0]!;
      flat.push(row * batch.tokens.length + at);
      const slot = batch.slots[i]!;
      rawLabels[slot] = dataset.protocol === "choice" ? sample.label : seq.targets[0]!;
      prompts[slot] = seq.ids.slice(0, at + 1);
      row += sample.sequences.length;
    });
    const states = model.hiddenStates(batch.tokens);
    try {
      states.forEach((h, l) => {
        const rows = tf.tidy(() => tf.gather(tf.reshape(h, [-1, d]), tf.tensor1d(flat, "int32")));
        try {
          const data = rows.dataSync() as Float32Array;
          batch.slots.forEach((slot, i) => layers[l]!.set(data.subarray(i * d, (i + 1) * d), slot * d));
        } finally {
          rows.dispose();
        }
      });
    } finally {
      tf.dispose(states);
    }
  }
  const classes = [...new Set(rawLabels)].sort((a, b) => a - b);
  const classOf = new Map(classes.map((c, i) => [c, i]));
  const frequency = new Map<number, number>();
  for (const p of prompts) for (const t of new Set(p)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  const types = Int32Array.from(prompts, (p) => p.reduce((best, t) => (frequency.get(t)! < frequency.get(best)! || (frequency.get(t) === frequency.get(best) && t < best) ? t : best), p[0]!));
  return { layers, hidden: d, n, labels: Int32Array.from(rawLabels, (c) => classOf.get(c)!), classes, types };
}
