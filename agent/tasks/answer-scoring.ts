// Scoring shared by the generative and masked protocols: a sample's loss is the mean NLL of its answer tokens (METHOD.md).
import * as tf from "@tensorflow/tfjs";
import type { AnswerEncoder } from "./choice.ts";
import type { AnswerRow, DatasetRow } from "./dataset.ts";
import type { EncodeContext, EncodedSample, SampleOutcome, ScoredSamples, TaskProtocol } from "./protocol.ts";

function answerLength(samples: ScoredSamples["samples"], s: number): number {
  return samples[s]!.sequences[0]!.targets.length;
}

/** Loss = −mean log p(answer token); correct when the argmax is the answer token at every answer position. */
export function judgeAnswers(batch: ScoredSamples, tokenLogProbs: ArrayLike<number>, argmax: ArrayLike<number>): SampleOutcome[] {
  let offset = 0;
  return batch.samples.map((sample) => {
    const { targets } = sample.sequences[0]!;
    let nll = 0;
    let correct = true;
    for (let i = 0; i < targets.length; i++) {
      nll -= tokenLogProbs[offset + i]!;
      if (argmax[offset + i] !== targets[i]) correct = false;
    }
    offset += targets.length;
    return { loss: nll / targets.length, correct };
  });
}

/** scale · Σ_samples mean NLL, as one weighted sum: weight −scale/|answer| on each answer token. */
export function answerLossSum(batch: ScoredSamples, tokenLogProbs: tf.Tensor1D, scale: number): tf.Scalar {
  const weights = new Float32Array(tokenLogProbs.shape[0]);
  let offset = 0;
  for (let s = 0; s < batch.samples.length; s++) {
    const n = answerLength(batch.samples, s);
    weights.fill(-scale / n, offset, offset + n);
    offset += n;
  }
  return tf.tidy(() => tf.sum(tf.mul(tokenLogProbs, tf.tensor1d(weights))));
}

/** An answer protocol: one sequence per row, encoded by `encodeAnswer` (causal in generative.ts, masked in masked.ts). */
export function answerProtocol(name: "generative" | "masked", encodeAnswer: AnswerEncoder): TaskProtocol {
  return {
    name,
    encodingKey: name,
    encode(row: DatasetRow, context: EncodeContext): EncodedSample {
      const { prompt, answer } = row as AnswerRow;
      const { dropped, ...sequence } = encodeAnswer(prompt, answer, context);
      return { sequences: [sequence], label: 0, dropped };
    },
    judge: judgeAnswers,
    lossSum: answerLossSum,
  };
}
