// Choice protocol: every choice is scored as an answer; the loss is the gold choice's cross-entropy over the choices (METHOD.md).
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { ChoiceEncoding, encodeChoices, type AnswerEncoder } from "./choice-encoding.ts";
import type { ChoiceRow, DatasetRow } from "./dataset.ts";
import type { EncodeContext, EncodedSample, SampleOutcome, ScoredSamples, TaskProtocol } from "./protocol.ts";

export { ChoiceEncoding, type AnswerEncoder } from "./choice-encoding.ts";

export interface ChoiceProtocolOptions {
  /** Score = mean instead of sum of the choice's token log-probs. @default false */
  lengthNormalise?: boolean;
  /** Decoders read choices after a causal prompt; encoders fill them into its masks. @default true */
  causal?: boolean;
  /** How a row becomes sequences (./choice-encoding.ts); both give the same scores to float32 rounding. @default "shared" */
  encoding?: ChoiceEncoding;
}

/** Softmax over choices must ignore absent choices: a large negative logit, finite so gradients stay finite. */
const ABSENT = -1e9;

function readsOf(sample: EncodedSample): number[] {
  if (sample.choiceOf === undefined) throw new C2iError(ErrorCode.INTERNAL, "a choice sample without choiceOf reached the choice protocol");
  return sample.choiceOf;
}

function choiceCount(choiceOf: readonly number[]): number {
  let n = 0;
  for (const c of choiceOf) n = Math.max(n, c + 1);
  return n;
}

export function choiceProtocol(encodeAnswer: AnswerEncoder, options: ChoiceProtocolOptions = {}): TaskProtocol {
  const lengthNormalise = options.lengthNormalise ?? false;
  const causal = options.causal ?? true;
  const encoding = options.encoding ?? ChoiceEncoding.shared;
  return {
    name: "choice",
    encodingKey: `choice/${encoding}`,
    encode(row: DatasetRow, context: EncodeContext): EncodedSample {
      return encodeChoices(encodeAnswer, causal, encoding, row as ChoiceRow, context);
    },

    judge(batch: ScoredSamples, tokenLogProbs: ArrayLike<number>): SampleOutcome[] {
      let offset = 0;
      return batch.samples.map((sample) => {
        const choiceOf = readsOf(sample);
        const sums = new Array<number>(choiceCount(choiceOf)).fill(0);
        const counts = new Array<number>(sums.length).fill(0);
        // A choice's reads come in its token order, so each sum adds in the same order on every encoding.
        for (let i = 0; i < choiceOf.length; i++) {
          sums[choiceOf[i]!] += tokenLogProbs[offset + i]!;
          counts[choiceOf[i]!]++;
        }
        offset += choiceOf.length;
        const scores = sums.map((sum, c) => (lengthNormalise ? sum / counts[c]! : sum));
        const gold = scores[sample.label]!;
        const max = Math.max(...scores);
        const logSumExp = max + Math.log(scores.reduce((acc, s) => acc + Math.exp(s - max), 0));
        const correct = scores.every((s, c) => c === sample.label || gold > s);
        return { loss: logSumExp - gold, correct };
      });
    },

    lossSum(batch: ScoredSamples, tokenLogProbs: tf.Tensor1D, scale: number): tf.Scalar {
      const samples = batch.samples;
      const width = Math.max(...samples.map((s) => choiceCount(readsOf(s))));
      const targets = tokenLogProbs.shape[0];
      // pool[s·width + c, t] sums (or averages) choice c's token log-probs into its score.
      const pool = new Float32Array(samples.length * width * targets);
      const bias = new Float32Array(samples.length * width).fill(ABSENT);
      const gold = new Float32Array(samples.length * width);
      let offset = 0;
      samples.forEach((sample, s) => {
        const choiceOf = readsOf(sample);
        const counts = new Array<number>(width).fill(0);
        for (const c of choiceOf) counts[c]++;
        choiceOf.forEach((c, i) => {
          pool[(s * width + c) * targets + offset + i] = lengthNormalise ? 1 / counts[c]! : 1;
          bias[s * width + c] = 0;
        });
        offset += choiceOf.length;
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
