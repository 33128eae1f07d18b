// Choice protocol: every choice is scored as an answer; the loss is the gold choice's cross-entropy over the choices (METHOD.md).
import * as tf from "@tensorflow/tfjs";
import type { ChoiceRow, DatasetRow } from "./dataset.ts";
import type { EncodedAnswer } from "./generative.ts";
import type { EncodeContext, EncodedSample, SampleOutcome, ScoredSamples, TaskProtocol } from "./protocol.ts";

/** Encodes (prompt, choice) as one sequence: the causal or the masked answer encoder. */
export type AnswerEncoder = (prompt: string, answer: string, context: EncodeContext, drop?: number) => EncodedAnswer;

export interface ChoiceProtocolOptions {
  /** Score = mean instead of sum of the choice's token log-probs. @default false */
  lengthNormalise?: boolean;
}

/** Softmax over choices must ignore absent choices: a large negative logit, finite so gradients stay finite. */
const ABSENT = -1e9;

function score(sum: number, tokens: number, lengthNormalise: boolean): number {
  return lengthNormalise ? sum / tokens : sum;
}

export function choiceProtocol(encodeAnswer: AnswerEncoder, options: ChoiceProtocolOptions = {}): TaskProtocol {
  const lengthNormalise = options.lengthNormalise ?? false;
  return {
    name: "choice",
    encode(row: DatasetRow, context: EncodeContext): EncodedSample {
      const { prompt, choices, label } = row as ChoiceRow;
      const first = choices.map((c) => encodeAnswer(prompt, c, context));
      // Every choice sees the same prompt: cut as much as the longest choice needs.
      const dropped = Math.max(...first.map((e) => e.dropped));
      const encoded = first.map((e, i) => (e.dropped === dropped ? e : encodeAnswer(prompt, choices[i]!, context, dropped)));
      return { sequences: encoded.map(({ dropped: _, ...sequence }) => sequence), label, dropped };
    },

    judge(batch: ScoredSamples, tokenLogProbs: ArrayLike<number>): SampleOutcome[] {
      let offset = 0;
      return batch.samples.map((sample) => {
        const scores = sample.sequences.map(({ targets }) => {
          let sum = 0;
          for (let i = 0; i < targets.length; i++) sum += tokenLogProbs[offset + i]!;
          offset += targets.length;
          return score(sum, targets.length, lengthNormalise);
        });
        const gold = scores[sample.label]!;
        const max = Math.max(...scores);
        const logSumExp = max + Math.log(scores.reduce((acc, s) => acc + Math.exp(s - max), 0));
        const correct = scores.every((s, c) => c === sample.label || gold > s);
        return { loss: logSumExp - gold, correct };
      });
    },

    lossSum(batch: ScoredSamples, tokenLogProbs: tf.Tensor1D, scale: number): tf.Scalar {
      const samples = batch.samples;
      const width = Math.max(...samples.map((s) => s.sequences.length));
      const targets = tokenLogProbs.shape[0];
      // pool[s·width + c, t] sums (or averages) choice c's token log-probs into its score.
      const pool = new Float32Array(samples.length * width * targets);
      const bias = new Float32Array(samples.length * width).fill(ABSENT);
      const gold = new Float32Array(samples.length * width);
      let offset = 0;
      samples.forEach((sample, s) => {
        sample.sequences.forEach(({ targets: tokens }, c) => {
          const row = (s * width + c) * targets;
          const weight = lengthNormalise ? 1 / tokens.length : 1;
          for (let i = 0; i < tokens.length; i++) pool[row + offset + i] = weight;
          offset += tokens.length;
          bias[s * width + c] = 0;
        });
        gold[s * width + sample.label] = -scale;
      });
      return tf.tidy(() => {
        const scores = tf.matMul(tf.tensor2d(pool, [samples.length * width, targets]), tokenLogProbs.reshape([targets, 1]));
        const logits = tf.add(scores.reshape([samples.length, width]), tf.tensor2d(bias, [samples.length, width]));
        return tf.sum(tf.mul(tf.logSoftmax(logits, 1), tf.tensor2d(gold, [samples.length, width])));
      });
    },
  };
}
