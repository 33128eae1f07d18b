// The timed evaluation and gradient pass both engine benches run (bench/engine/blas.ts, bench/attention/engine.ts).
import * as tf from "@tensorflow/tfjs";
import { sumGradients } from "../../agent/models/gradient-sum.ts";
import type { LanguageModel, TokenBatch } from "../../agent/models/types.ts";
import { mulberry32 } from "../../common/random.ts";

export interface AnswerBatch {
  batch: TokenBatch;
  /** Flat positions whose logits predict `targets`. */
  positions: Int32Array;
  targets: Int32Array;
}

export interface AnswerWorkload {
  samples: number;
  /** Tokens per sample; the last `answer` + 1 carry the answer positions. */
  length: number;
  answer: number;
  microBatch: number;
  vocab: number;
}

/**
 * Random token samples (seed 2, the same tokens whatever the micro-batch size), each answering its own last
 * `answer` tokens, in micro-batches.
 */
export function answerBatches(w: AnswerWorkload): AnswerBatch[] {
  const rand = mulberry32(2);
  const out: AnswerBatch[] = [];
  for (let start = 0; start < w.samples; start += w.microBatch) {
    const b = Math.min(w.microBatch, w.samples - start);
    const ids = Int32Array.from({ length: b * w.length }, () => Math.floor(rand() * w.vocab));
    const positions = new Int32Array(b * w.answer);
    const targets = new Int32Array(b * w.answer);
    for (let r = 0; r < b; r++) {
      for (let j = 0; j < w.answer; j++) {
        const t = w.length - w.answer - 1 + j;
        positions[r * w.answer + j] = r * w.length + t;
        targets[r * w.answer + j] = ids[r * w.length + t + 1]!;
      }
    }
    out.push({ batch: { ids, mask: new Int32Array(b * w.length).fill(1), batch: b, length: w.length }, positions, targets });
  }
  return out;
}

export interface Timed {
  seconds: number;
  /** CPU seconds of the process (all threads): steadier than wall time when the machine is shared. */
  cpuSeconds: number;
}

function timed<T>(f: () => T): Timed & { value: T } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = f();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - t) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Argmax at the answer positions of every batch, after one untimed warm-up forward; counts correct answers. */
export function timedEvaluation(model: LanguageModel, work: readonly AnswerBatch[]): Timed & { correct: number } {
  tf.tidy(() => model.logitsAt(work[0]!.batch, work[0]!.positions)).dispose();
  const { value, ...time } = timed(() => {
    let correct = 0;
    for (const w of work) {
      const argmax = tf.tidy(() => tf.argMax(model.logitsAt(w.batch, w.positions), 1));
      const picked = argmax.dataSync();
      argmax.dispose();
      picked.forEach((p, i) => (correct += p === w.targets[i] ? 1 : 0));
    }
    return correct;
  });
  return { ...time, correct: value };
}

/** The mean answer-token cross-entropy over `total` answer tokens, for one batch. */
export function answerLoss(model: LanguageModel, w: AnswerBatch, total: number): () => tf.Scalar {
  return () =>
    tf.tidy(() => {
      const logits = model.logitsAt(w.batch, w.positions);
      // int32 then cast: tfjs-backend-wasm 4.22's OneHot writes int32 bits whatever dtype is asked for.
      const picked = tf.cast(tf.oneHot(tf.tensor1d(w.targets, "int32"), model.config.vocabSize), "float32");
      return tf.neg(tf.div(tf.sum(tf.mul(tf.logSoftmax(logits), picked)), total)) as tf.Scalar;
    });
}

/** As the agent's gradient pass does: ∂L/∂W of `names` summed over the batches on the device, read once. */
export function timedGradientPass(model: LanguageModel, names: readonly string[], work: readonly AnswerBatch[], total: number): Timed & { loss: number } {
  const { value, ...time } = timed(() => {
    let loss = 0;
    const sum = sumGradients(model, names);
    for (const w of work) loss += sum.add(answerLoss(model, w, total));
    sum.read();
    sum.dispose();
    return loss;
  });
  return { ...time, loss: value };
}
