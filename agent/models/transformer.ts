// The LanguageModel over any architecture: embed → layer i → head, with logits only where they are read.
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { accumulateOnHost } from "../compute/blas/host-matmul.ts";
import type { ArchForward, ArchInstance, MatrixWeight, Weights } from "./arch/types.ts";
import { GRADIENT_TAP, OBSERVE_INPUT, type GradientTap } from "./blocks/linear.ts";
import { HostMatrix } from "./host-matrix.ts";
import type { GradientSum, LanguageModel, MatrixInfo, ModelConfig, TokenBatch } from "./types.ts";
import type { WeightStore } from "./weights.ts";

export class TransformerModel implements LanguageModel {
  readonly config: ModelConfig;
  readonly candidates: readonly MatrixInfo[];
  private readonly byName: Map<string, MatrixInfo>;
  private readonly fwd: ArchForward;
  /** While a GradientSum runs a loss: the taps its candidate matrices' `linear` calls report to. */
  private taps: Map<string, (x: tf.Tensor2D, dy: tf.Tensor2D) => void> | undefined;
  /** The scalar every tapped layer takes as an input (see GradientTap.anchor); made on first use. */
  private anchor: tf.Variable<tf.Rank.R0> | undefined;

  constructor(
    private readonly arch: ArchInstance,
    private readonly weights: WeightStore,
    candidates: MatrixInfo[],
    /** Checkpoint tensors no architecture reads (buffers, duplicate tied heads), kept for stateDict. */
    private readonly passthrough: Map<string, { shape: number[]; data: Float32Array }>,
    /** Names the checkpoint in error messages. */
    private readonly source: string,
  ) {
    this.config = arch.config;
    this.candidates = candidates;
    this.byName = new Map(candidates.map((c) => [c.name, c]));
    // The forward reads weights through this view: plain variables, or tagged handles while a
    // GradientSum is tapping them (see gradientSum).
    this.fwd = arch.forward(
      tagging(weights, (name, weight) => {
        const add = this.taps?.get(name);
        return add && { [GRADIENT_TAP]: { weight, anchor: this.anchor!, add } };
      }),
    );
  }

  logitsAt(batch: TokenBatch, positions: Int32Array): tf.Tensor2D {
    this.checkBatch(batch, positions);
    return tf.tidy(() => {
      const ctx = this.arch.context(batch);
      let h = this.fwd.embed(tf.tensor1d(batch.ids, "int32"), ctx);
      for (let i = 0; i < this.config.numLayers; i++) h = this.fwd.layer(i, h, ctx);
      return this.fwd.head(tf.gather(h, tf.tensor1d(positions, "int32")));
    });
  }

  hiddenStates(batch: TokenBatch): tf.Tensor3D[] {
    this.checkBatch(batch, new Int32Array(0));
    const shape: [number, number, number] = [batch.batch, batch.length, this.config.hiddenSize];
    const states: tf.Tensor3D[] = [];
    tf.tidy(() => {
      const ctx = this.arch.context(batch);
      let h = this.fwd.embed(tf.tensor1d(batch.ids, "int32"), ctx);
      states.push(tf.keep(tf.reshape(h, shape)));
      for (let i = 0; i < this.config.numLayers; i++) {
        h = this.fwd.layer(i, h, ctx);
        states.push(tf.keep(tf.reshape(h, shape)));
      }
    });
    return states;
  }

  logitsFromLayer(batch: TokenBatch, layer: number, hidden: tf.Tensor3D, positions: Int32Array): tf.Tensor2D {
    this.checkBatch(batch, positions);
    const L = this.config.numLayers;
    if (!Number.isInteger(layer) || layer < 0 || layer > L) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${this.source}: layer ${layer} is outside 0…${L}`);
    }
    const expected = [batch.batch, batch.length, this.config.hiddenSize];
    if (hidden.shape.join() !== expected.join()) {
      throw new C2iError(ErrorCode.SHAPE_MISMATCH, `hidden state entering layer ${layer}: expected [${expected}], found [${hidden.shape}]`);
    }
    return tf.tidy(() => {
      const ctx = this.arch.context(batch);
      let h = tf.reshape(hidden, [batch.batch * batch.length, this.config.hiddenSize]) as tf.Tensor2D;
      for (let i = layer; i < L; i++) h = this.fwd.layer(i, h, ctx);
      return this.fwd.head(tf.gather(h, tf.tensor1d(positions, "int32")));
    });
  }

  matrixInputs(batch: TokenBatch, names: readonly string[]): Map<string, tf.Tensor2D> {
    this.checkBatch(batch, new Int32Array(0));
    const wanted = new Set(names);
    const last = Math.max(-1, ...names.map((n) => this.candidate(n).layer));
    const seen = new Map<string, tf.Tensor2D[]>();
    // A forward over weight handles that report their input (see tagging).
    const fwd = this.arch.forward(
      tagging(this.weights, (name) => {
        if (!wanted.has(name)) return undefined;
        const observe = (x: tf.Tensor2D) => {
          const list = seen.get(name) ?? [];
          list.push(tf.keep(x));
          seen.set(name, list);
        };
        return { [OBSERVE_INPUT]: observe };
      }),
    );
    try {
      tf.tidy(() => {
        const ctx = this.arch.context(batch);
        let h = fwd.embed(tf.tensor1d(batch.ids, "int32"), ctx);
        for (let i = 0; i <= last; i++) h = fwd.layer(i, h, ctx);
      });
      const out = new Map<string, tf.Tensor2D>();
      for (const name of names) {
        const list = seen.get(name);
        if (!list) throw new C2iError(ErrorCode.INTERNAL, `${this.source}: the forward never multiplied by ${name}; its architecture does not route it through linear()`);
        out.set(name, list.length === 1 ? list[0]! : (tf.concat(list, 0) as tf.Tensor2D));
        if (list.length > 1) tf.dispose(list);
      }
      return out;
    } catch (e) {
      for (const list of seen.values()) tf.dispose(list);
      throw e;
    }
  }

  readMatrix(name: string): Float32Array {
    this.candidate(name);
    return this.weights.readOutIn(name);
  }

  writeMatrix(name: string, data: Float32Array): void {
    const info = this.candidate(name);
    if (data.length !== info.rows * info.cols) {
      throw new C2iError(
        ErrorCode.SHAPE_MISMATCH,
        `writeMatrix ${name}: expected ${info.rows}×${info.cols} = ${info.rows * info.cols} values (rows = output features), found ${data.length}`,
      );
    }
    this.weights.writeOutIn(name, data);
  }

  gradients(names: readonly string[], loss: () => tf.Scalar): { value: number; grads: Map<string, Float32Array> } {
    const sum = this.gradientSum(names);
    try {
      const value = sum.add(loss);
      return { value, grads: sum.read() };
    } finally {
      sum.dispose();
    }
  }

  /**
   * Sums ∂L/∂W: each candidate's `linear` reports (x, dy) from the backward pass and the sum grows by dyᵀ·x,
   * already [out, in] (rows = output features, so reading needs no transpose). With the host kernel (weights
   * in host memory) the sum is a host array and grows by one GEMM with beta = 1 reading x and dy in place;
   * otherwise it stays on the device as one fused matMul whose bias is the running sum. No per-loss gradient is
   * downloaded, transposed or added by a JavaScript loop.
   */
  gradientSum(names: readonly string[]): GradientSum {
    if (new Set(names).size !== names.length) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `gradients: matrix names must be distinct, got ${names.join(", ")}`);
    }
    const infos = names.map((n) => this.candidate(n));
    const sums = new Map<string, tf.Tensor2D>();
    const hostSums = new Map<string, Float32Array>();
    const accumulate = (name: string) => (x: tf.Tensor2D, dy: tf.Tensor2D) => {
      if (this.weights.onHost) {
        const info = this.candidate(name);
        const sum = hostSums.get(name) ?? new Float32Array(info.rows * info.cols);
        if (accumulateOnHost(dy, x, sum)) {
          hostSums.set(name, sum);
          return;
        }
      }
      const previous = sums.get(name);
      const next = previous == null ? (tf.matMul(dy, x, true, false) as tf.Tensor2D) : (tf.fused.matMul({ a: dy, b: x, transposeA: true, bias: previous }) as tf.Tensor2D);
      sums.set(name, tf.keep(next));
      previous?.dispose();
    };
    return {
      add: (loss) => this.tappedBackward(names, (name, x, dy) => accumulate(name)(x, dy), loss),
      read: () =>
        new Map(infos.map((info) => {
          const host = hostSums.get(info.name);
          if (host != null) return [info.name, host.slice()];
          const sum = sums.get(info.name);
          return [info.name, sum == null ? new Float32Array(info.rows * info.cols) : (sum.dataSync() as Float32Array).slice()];
        })),
      dispose: () => {
        tf.dispose([...sums.values()]);
        sums.clear();
        hostSums.clear();
      },
    };
  }

  tappedBackward(names: readonly string[], tap: (name: string, x: tf.Tensor2D, dy: tf.Tensor2D) => void, loss: () => tf.Scalar): number {
    for (const n of names) this.candidate(n);
    if (this.taps != null) throw new C2iError(ErrorCode.INTERNAL, `${this.source}: gradient taps cannot run inside one another`);
    this.taps = new Map(names.map((n) => [n, (x: tf.Tensor2D, dy: tf.Tensor2D) => tap(n, x, dy)]));
    this.anchor ??= tf.variable(tf.scalar(0), true);
    try {
      // The backward pass runs for the anchor's (zero) gradient; the taps see every candidate's (x, dy).
      const result = tf.variableGrads(loss, [this.anchor]);
      tf.dispose(Object.values(result.grads));
      const value = result.value.dataSync()[0]!;
      result.value.dispose();
      return value;
    } finally {
      this.taps = undefined;
    }
  }

  get weightBytes(): number {
    return this.weights.bytes();
  }

  get hostWeightBytes(): number {
    return this.weights.hostBytes();
  }

  get weightsOnHost(): boolean {
    return this.weights.onHost;
  }

  stateDict(names?: readonly string[]): Map<string, { shape: number[]; data: Float32Array }> {
    const wanted = names === undefined ? undefined : new Set(names);
    const out = this.weights.stored(wanted);
    for (const [name, t] of this.passthrough) if (!wanted || wanted.has(name)) out.set(name, { shape: [...t.shape], data: Float32Array.from(t.data) });
    return out;
  }

  dispose(): void {
    this.anchor?.dispose();
    this.weights.dispose();
  }

  private candidate(name: string): MatrixInfo {
    const info = this.byName.get(name);
    if (info == null) {
      throw new C2iError(
        ErrorCode.NOT_FOUND,
        `${this.source}: "${name}" is not a candidate matrix of this ${this.config.modelType} model; ` +
          `candidates look like ${this.candidates.slice(0, 2).map((c) => c.name).join(", ")} (see model.candidates)`,
      );
    }
    return info;
  }

  private checkBatch(batch: TokenBatch, positions: Int32Array): void {
    const n = batch.batch * batch.length;
    if (batch.ids.length !== n || batch.mask.length !== n) {
      throw new C2iError(ErrorCode.SHAPE_MISMATCH, `token batch: ids and mask must hold batch·length = ${n} values, found ${batch.ids.length} and ${batch.mask.length}`);
    }
    for (const [name, a] of [["positionIds", batch.positionIds], ["segments", batch.segments]] as const) {
      if (a !== undefined && a.length !== n) throw new C2iError(ErrorCode.SHAPE_MISMATCH, `token batch: ${name} must hold batch·length = ${n} values, found ${a.length}`);
    }
    const maxPosition = this.config.maxPositions;
    if (batch.positionIds?.some((p) => p < 0 || p >= maxPosition)) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `token batch: a position id is outside the model's 0…${maxPosition - 1}`);
    }
    const vocab = this.config.vocabSize;
    for (let i = 0; i < n; i++) {
      const id = batch.ids[i]!;
      if (id < 0 || id >= vocab) {
        throw new C2iError(ErrorCode.INVALID_ARGUMENT, `token batch: id ${id} at flat position ${i} is outside the vocabulary 0…${vocab - 1}`);
      }
    }
    for (const p of positions) {
      if (p < 0 || p >= n) throw new C2iError(ErrorCode.INVALID_ARGUMENT, `logits position ${p} is outside the batch's 0…${n - 1}`);
    }
  }
}

/** The tags `linear` reads on a weight handle (./blocks/linear.ts). */
type WeightTags = { [OBSERVE_INPUT]?: (x: tf.Tensor2D) => void; [GRADIENT_TAP]?: GradientTap };

/**
 * A view of `store` whose `matrix` returns, for names `tag` gives tags for, a fresh handle carrying those tags:
 * for a backend tensor a reshape (same data) that the layer's own tidy disposes, for a host matrix an object
 * whose prototype is the matrix. Only `linear` reads the tags.
 */
function tagging(store: WeightStore, tag: (name: string, weight: MatrixWeight) => WeightTags | undefined): Weights {
  return {
    get: (name) => store.get(name),
    matrix: (name) => {
      const w = store.matrix(name);
      const tags = tag(name, w);
      if (tags == null) return w;
      return w instanceof HostMatrix ? Object.assign(Object.create(w) as HostMatrix, tags) : Object.assign(tf.reshape(w, w.shape), tags);
    },
    rows: (name, ids) => store.rows(name, ids),
    transposed: (name) => store.transposed(name),
  };
}
