// The GPT-2-small attention block (12 heads × 64, T = 48) fused vs composite, forward and forward+backward, timed side by side.
import * as tf from "@tensorflow/tfjs";
import { compositeAttention, attentionBias, attentionFromQkv, QkvLayout } from "../../agent/models/blocks/attention.ts";

export interface BlockTiming {
  batch: number;
  /** Median milliseconds per call over the repetitions. */
  fusedForward: number;
  compositeForward: number;
  fusedStep: number;
  compositeStep: number;
  /** Largest |fused − composite| of the context, relative to its largest |value|. */
  maxRelDiff: number;
}

const HEADS = 12;
const HEAD_DIM = 64;
const LENGTH = 48;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Times one call of `f` (which must read its result back, so lazy backends finish). */
function time(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** Runs both paths `reps` times interleaved (fused, composite, fused, …) so load changes hit both alike. */
export function timeBlock(batch: number, reps: number): BlockTiming {
  const n = batch * LENGTH;
  const width = 3 * HEADS * HEAD_DIM;
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5) * 2;
  const qkv = tf.tensor2d(Float32Array.from({ length: n * width }, rand), [n, width]);
  const weight = tf.tensor2d(Float32Array.from({ length: n * HEADS * HEAD_DIM }, rand), [n, HEADS * HEAD_DIM]);
  // Right padding on every other row, as in a micro-batch of unequal samples.
  const mask = Int32Array.from({ length: n }, (_, i) => (Math.floor(i / LENGTH) % 2 === 1 && i % LENGTH >= LENGTH - 8 ? 0 : 1));
  const bias = attentionBias(mask, batch, LENGTH, true);
  const common = { batch, length: LENGTH, numHeads: HEADS, numKvHeads: HEADS, headDim: HEAD_DIM, bias };
  const fused = (x: tf.Tensor) => attentionFromQkv({ qkv: x as tf.Tensor2D, layout: QkvLayout.blocks, ...common });
  // The path GPT-2 took before the fused kernel: tf.split, then head transposes, scale, mask, softmax, batched matMuls.
  const composite = (x: tf.Tensor) => {
    const [q, k, v] = tf.split(x, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    return compositeAttention({ q, k, v, ...common });
  };
  const forward = (f: (x: tf.Tensor) => tf.Tensor) => () => tf.tidy(() => f(qkv)).dispose();
  const step = (f: (x: tf.Tensor) => tf.Tensor) => () => {
    const [g] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(f(x), weight)))([qkv]);
    g!.dataSync();
    g!.dispose();
  };
  const diff = tf.tidy(() => {
    const a = fused(qkv);
    const b = composite(qkv);
    return tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))).dataSync()[0]!;
  });
  // Warm-up: kernel set-up and first allocations of both paths.
  for (const f of [forward(fused), forward(composite), step(fused), step(composite)]) f();
  const t = { ff: [] as number[], cf: [] as number[], fs: [] as number[], cs: [] as number[] };
  for (let r = 0; r < reps; r++) {
    t.ff.push(time(forward(fused)));
    t.cf.push(time(forward(composite)));
    t.fs.push(time(step(fused)));
    t.cs.push(time(step(composite)));
  }
  tf.dispose([qkv, weight, bias]);
  return {
    batch,
    fusedForward: median(t.ff),
    compositeForward: median(t.cf),
    fusedStep: median(t.fs),
    compositeStep: median(t.cs),
    maxRelDiff: diff,
  };
}
