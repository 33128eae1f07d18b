// One child process of the end-to-end comparison: bench/engine/blas.ts's wasm+BLAS workload with fused attention on or off.
// The workload (tokens, micro-batches, answer positions, loss, gradient summation) is the one in bench/engine/blas.ts's
// child, on the checkpoint that script writes with --write, so the two benches' numbers are comparable.
import * as tf from "@tensorflow/tfjs";
import { attentionKernelsActive, registerAttentionKernels, unregisterAttentionKernels } from "../../agent/compute/attention/register.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { loadModel } from "../../agent/models/load.ts";
import { silentLogger } from "../../common/log.ts";
import { answerBatches, timedEvaluation, timedGradientPass } from "../engine/passes.ts";

export interface EngineSettings {
  samples: number;
  length: number;
  answer: number;
  microBatch: number;
  threads: number;
}

export interface EngineResult {
  fused: boolean;
  evaluation: number;
  gradient: number;
  loss: number;
  correct: number;
  /** The wasm heap's size after the run: it only grows, so this is the peak the gradient pass needed. */
  heapMiB: number;
}

const VOCAB = 50257;

const batches = (s: EngineSettings) => answerBatches({ ...s, vocab: VOCAB });

/** Evaluation (argmax at the answer positions) then ∂L/∂W of all 48 matrices, timed, on wasm + BLAS. */
export async function runEngine(dir: string, fused: boolean, s: EngineSettings): Promise<EngineResult> {
  await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: s.threads, logger: silentLogger() });
  if (!fused) unregisterAttentionKernels("wasm");
  if (attentionKernelsActive("wasm") !== fused) throw new Error(`fused attention should be ${fused ? "on" : "off"} in this child`);
  const model = await loadModel(dir);
  const work = batches(s);
  const { seconds: evaluation, correct } = timedEvaluation(model, work);
  const { seconds: gradient, loss } = timedGradientPass(model, model.candidates.map((c) => c.name), work, s.samples * s.answer);
  model.dispose();
  const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
  return { fused, evaluation, gradient, loss, correct, heapMiB: heap / 2 ** 20 };
}

export interface InterleavedResult {
  /** Median seconds per micro-batch. */
  fusedEval: number;
  compositeEval: number;
  fusedStep: number;
  compositeStep: number;
  reps: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * One model, one process: a micro-batch's evaluation and gradient step (all 48 matrices) alternately with the
 * fused kernels registered and unregistered, so load drift on a shared machine hits both paths alike.
 */
export async function runInterleaved(dir: string, s: EngineSettings, reps: number): Promise<InterleavedResult> {
  await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: s.threads, logger: silentLogger() });
  const model = await loadModel(dir);
  const w = batches({ ...s, samples: s.microBatch })[0]!;
  const names = model.candidates.map((c) => c.name);
  const evaluate = () => {
    const t = performance.now();
    const argmax = tf.tidy(() => tf.argMax(model.logitsAt(w.batch, w.positions), 1));
    argmax.dataSync();
    argmax.dispose();
    return (performance.now() - t) / 1000;
  };
  const step = () => timedGradientPass(model, names, [w], 1).seconds;
  const times = { fe: [] as number[], ce: [] as number[], fs: [] as number[], cs: [] as number[] };
  for (let r = 0; r <= reps; r++) {
    for (const fused of [true, false]) {
      if (fused) registerAttentionKernels("wasm");
      else unregisterAttentionKernels("wasm");
      const [e, g] = [evaluate(), step()];
      if (r === 0) continue; // warm-up round
      (fused ? times.fe : times.ce).push(e);
      (fused ? times.fs : times.cs).push(g);
    }
  }
  model.dispose();
  return { fusedEval: median(times.fe), compositeEval: median(times.ce), fusedStep: median(times.fs), compositeStep: median(times.cs), reps };
}
