// A small LanguageModel with real tf ops (embedding, context mixing, one dense layer, output head) and its float64 twin for hand checks.
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../../common/random.ts";
import type { LanguageModel, MatrixInfo, ModelConfig, TokenBatch } from "../../agent/models/types.ts";

export interface MockModelOptions {
  vocabSize: number;
  /** @default 8 */
  dim?: number;
  /** Causal: context = mean of the tokens so far; encoder: mean of all real tokens. @default true */
  causal?: boolean;
  /** @default 64 */
  maxPositions?: number;
  /** @default 1 */
  seed?: number;
}

let instances = 0;

/**
 * h_t = tanh(Mix · (E[x_t] + c_t)), logits_t = Head · h_t, where c_t is the attention-masked mean of
 * the embeddings the position may see. Padding therefore changes the encoder's outputs unless the
 * mask is honoured.
 */
export class MockModel implements LanguageModel {
  readonly config: ModelConfig;
  readonly candidates: readonly MatrixInfo[];
  private readonly vars = new Map<string, tf.Variable>();

  constructor(options: MockModelOptions) {
    const dim = options.dim ?? 8;
    const causal = options.causal ?? true;
    const V = options.vocabSize;
    this.config = {
      modelType: "mock", vocabSize: V, hiddenSize: dim, numLayers: 1, numHeads: 1, numKvHeads: 1, headDim: dim,
      intermediateSize: dim, maxPositions: options.maxPositions ?? 64, causal, raw: {},
    };
    this.candidates = [
      { name: "mix.weight", layer: 0, kind: "mlp_in", rows: dim, cols: dim },
      { name: "head.weight", layer: 0, kind: "mlp_out", rows: V, cols: dim },
    ];
    const random = mulberry32(options.seed ?? 1);
    const init = (rows: number, cols: number, scale: number) => Float32Array.from({ length: rows * cols }, () => (random() * 2 - 1) * scale);
    const id = instances++;
    const add = (name: string, rows: number, cols: number, scale: number) =>
      this.vars.set(name, tf.variable(tf.tensor2d(init(rows, cols, scale), [rows, cols]), true, `mock${id}/${name}`));
    add("embed.weight", V, dim, 1);
    add("mix.weight", dim, dim, 0.8);
    add("head.weight", V, dim, 1.5);
  }

  private variable(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`mock model has no matrix ${name}`);
    return v;
  }

  /** [B·L, B·L]-free context weights: A[b, t, s] = mask_s · visible(t, s) / count (packed branches see the shared tokens and their own). */
  private contextWeights(batch: TokenBatch): Float32Array {
    const { batch: B, length: L, mask } = batch;
    const weights = new Float32Array(B * L * L);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const segment = (i: number) => batch.segments?.[b * L + i] ?? 0;
        const visible = (s: number) => mask[b * L + s] && (!this.config.causal || s <= t) && (segment(s) === 0 || segment(s) === segment(t));
        let count = 0;
        for (let s = 0; s < L; s++) if (visible(s)) count++;
        for (let s = 0; s < L; s++) {
          if (visible(s)) weights[(b * L + t) * L + s] = 1 / count;
        }
      }
    }
    return weights;
  }

  logitsAt(batch: TokenBatch, positions: Int32Array): tf.Tensor2D {
    return tf.tidy(() => {
      const { batch: B, length: L } = batch;
      const dim = this.config.hiddenSize;
      const embedded = tf.gather(this.variable("embed.weight"), tf.tensor2d(batch.ids, [B, L], "int32")) as tf.Tensor3D;
      const context = tf.matMul(tf.tensor3d(this.contextWeights(batch), [B, L, L]), embedded);
      const mixed = tf.tanh(tf.matMul(tf.add(embedded, context).reshape([B * L, dim]), this.variable("mix.weight"), false, true));
      const picked = tf.gather(mixed, tf.tensor1d(positions, "int32"));
      return tf.matMul(picked, this.variable("head.weight"), false, true) as tf.Tensor2D;
    });
  }

  readMatrix(name: string): Float32Array {
    return this.variable(name).dataSync().slice() as Float32Array;
  }

  writeMatrix(name: string, data: Float32Array): void {
    const v = this.variable(name);
    tf.tidy(() => v.assign(tf.tensor2d(data, v.shape as [number, number])));
  }

  gradients(names: readonly string[], loss: () => tf.Scalar): { value: number; grads: Map<string, Float32Array> } {
    const vars = names.map((n) => this.variable(n));
    const { value, grads } = tf.variableGrads(loss, vars);
    const out = new Map<string, Float32Array>();
    names.forEach((n, i) => out.set(n, grads[vars[i]!.name]!.dataSync().slice() as Float32Array));
    const result = { value: value.dataSync()[0]!, grads: out };
    value.dispose();
    tf.dispose(grads);
    return result;
  }

  stateDict(): Map<string, { shape: number[]; data: Float32Array }> {
    return new Map([...this.vars].map(([n, v]) => [n, { shape: v.shape, data: this.readMatrix(n) }]));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  /** log-softmax over the vocabulary at every position of one unpadded sequence, in float64 loops. */
  referenceLogProbs(ids: readonly number[]): number[][] {
    const dim = this.config.hiddenSize;
    const V = this.config.vocabSize;
    const E = this.readMatrix("embed.weight");
    const M = this.readMatrix("mix.weight");
    const H = this.readMatrix("head.weight");
    return ids.map((_, t) => {
      const visible = this.config.causal ? ids.slice(0, t + 1) : ids;
      const x = Array.from({ length: dim }, (_, k) => E[ids[t]! * dim + k]! + visible.reduce((acc, id) => acc + E[id * dim + k]!, 0) / visible.length);
      const h = Array.from({ length: dim }, (_, j) => Math.tanh(x.reduce((acc, xk, k) => acc + M[j * dim + k]! * xk, 0)));
      const logits = Array.from({ length: V }, (_, v) => h.reduce((acc, hk, k) => acc + H[v * dim + k]! * hk, 0));
      const max = Math.max(...logits);
      const lse = max + Math.log(logits.reduce((acc, l) => acc + Math.exp(l - max), 0));
      return logits.map((l) => l - lse);
    });
  }
}
