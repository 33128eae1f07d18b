// The bench workload: 100 samples of ~48 tokens whose last few tokens are the answer, and the task loss over them.
import * as tf from "@tensorflow/tfjs";
import type { LanguageModel, TokenBatch } from "../../agent/models/types.ts";

export interface Sample {
  ids: number[];
  /** How many trailing tokens are the answer. */
  answer: number;
}

/** `count` samples with lengths uniform in [mean − 8, mean + 8] and 3 answer tokens each (seeded). */
export function makeSamples(count: number, meanTokens: number, vocab: number, seed = 7): Sample[] {
  let s = seed >>> 0;
  const next = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
  return Array.from({ length: count }, () => {
    const length = meanTokens - 8 + next(17);
    return { ids: Array.from({ length }, () => next(vocab)), answer: 3 };
  });
}

export interface MicroBatch {
  batch: TokenBatch;
  /** Flat positions whose logits predict an answer token. */
  positions: Int32Array;
  targets: Int32Array;
  /** Loss weight of each position: 1 / (answer tokens of its sample × total samples). */
  weights: Float32Array;
  realTokens: number;
}

/** Right-padded micro-batches; summing their losses gives METHOD.md's mean over samples of each sample's mean NLL. */
export function microBatches(samples: readonly Sample[], size: number, totalSamples = samples.length): MicroBatch[] {
  const out: MicroBatch[] = [];
  for (let start = 0; start < samples.length; start += size) {
    const group = samples.slice(start, start + size);
    const length = Math.max(...group.map((g) => g.ids.length));
    const ids = new Int32Array(group.length * length);
    const mask = new Int32Array(group.length * length);
    const positions: number[] = [];
    const targets: number[] = [];
    const weights: number[] = [];
    group.forEach((g, b) => {
      ids.set(g.ids, b * length);
      mask.fill(1, b * length, b * length + g.ids.length);
      for (let t = g.ids.length - g.answer; t < g.ids.length; t++) {
        positions.push(b * length + t - 1);
        targets.push(g.ids[t]!);
        weights.push(1 / (g.answer * totalSamples));
      }
    });
    out.push({
      batch: { ids, mask, batch: group.length, length },
      positions: Int32Array.from(positions),
      targets: Int32Array.from(targets),
      weights: Float32Array.from(weights),
      realTokens: group.reduce((a, g) => a + g.ids.length, 0),
    });
  }
  return out;
}

/** −Σ_p w_p · log softmax(logits_p)[target_p] for one micro-batch. */
export function answerLoss(model: LanguageModel, mb: MicroBatch): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const logp = tf.logSoftmax(model.logitsAt(mb.batch, mb.positions));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(mb.targets, "int32"), model.config.vocabSize)), 1);
      return tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(mb.weights)))) as tf.Scalar;
    });
}
