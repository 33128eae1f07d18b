// The probe: a seeded 2-layer MLP (standardised input → ReLU hidden → softmax) trained full-batch with Adam in tfjs.
import * as tf from "@tensorflow/tfjs";

export interface MlpProbeOptions {
  /** @default 64 */
  hidden?: number;
  /** Full-batch Adam steps. @default 150 */
  steps?: number;
  /** @default 0.01 */
  learningRate?: number;
  /** L2 penalty on the weights. @default 1e-4 */
  weightDecay?: number;
  /** Seeds the initial weights. @default 0 */
  seed?: number;
}

/** Trains on (x, y) rows `train` and returns the predicted class of every row of `x` (n × dim). */
export function trainMlpProbe(x: Float32Array, dim: number, y: Int32Array, classes: number, train: readonly number[], options: MlpProbeOptions = {}): Int32Array {
  const hidden = options.hidden ?? 64;
  const steps = options.steps ?? 150;
  const seed = options.seed ?? 0;
  const n = y.length;
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (const i of train) for (let j = 0; j < dim; j++) mean[j]! += x[i * dim + j]! / train.length;
  for (const i of train) for (let j = 0; j < dim; j++) std[j]! += (x[i * dim + j]! - mean[j]!) ** 2 / train.length;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]!) + 1e-6;
  const w1 = tf.variable(tf.randomNormal([dim, hidden], 0, Math.sqrt(2 / dim), "float32", seed));
  const b1 = tf.variable(tf.zeros([hidden]));
  const w2 = tf.variable(tf.randomNormal([hidden, classes], 0, Math.sqrt(1 / hidden), "float32", seed + 1));
  const b2 = tf.variable(tf.zeros([classes]));
  const optimizer = tf.train.adam(options.learningRate ?? 0.01);
  const decay = options.weightDecay ?? 1e-4;
  try {
    const all = tf.tidy(() => tf.div(tf.sub(tf.tensor2d(x, [n, dim]), tf.tensor1d(mean)), tf.tensor1d(std)));
    const xTrain = tf.tidy(() => tf.gather(all, tf.tensor1d(Int32Array.from(train), "int32")));
    const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(train, (i) => y[i]!), "int32"), classes).toFloat());
    const logits = (input: tf.Tensor) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(input, w1), b1)), w2), b2);
    try {
      for (let s = 0; s < steps; s++) {
        tf.tidy(() => {
          optimizer.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(yTrain, logits(xTrain)), tf.mul(decay, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))))) as tf.Scalar);
        });
      }
      const predicted = tf.tidy(() => tf.argMax(logits(all), 1));
      try {
        return Int32Array.from(predicted.dataSync());
      } finally {
        predicted.dispose();
      }
    } finally {
      tf.dispose([all, xTrain, yTrain]);
    }
  } finally {
    optimizer.dispose();
    tf.dispose([w1, b1, w2, b2]);
  }
}
