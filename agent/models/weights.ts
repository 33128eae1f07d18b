// Holds a model's weights: vectors as tf.Variables, matrices and tables either on the backend too (resident, in
// the engine layout) or in host memory as stored (agent/models/host-matrix.ts), and converts to/from the stored layout.
import * as tf from "@tensorflow/tfjs";
import { widenStored, type StoredFloats } from "../checkpoint/dtype.ts";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { MatrixWeight, TensorSpec, Weights } from "./arch/types.ts";
import { HostMatrix } from "./host-matrix.ts";
import { storedIsTransposed, transposeF32 } from "./layout.ts";

/** The engine-layout shape of a stored tensor: matrices become [in, out]. */
function engineShape(spec: TensorSpec): number[] {
  return storedIsTransposed(spec.layout) ? [spec.shape[1]!, spec.shape[0]!] : spec.shape;
}

export interface WeightStoreOptions {
  /**
   * Keep 2-D tensors (matrices, embedding tables) in host memory in their stored dtype, read in place by the host
   * kernel (agent/compute/blas/host-matmul.ts): the backend's heap then holds vectors and activations only.
   * @default false (every tensor a float32 variable on the backend: the GPU path)
   */
  host?: boolean;
}

export class WeightStore implements Weights {
  private readonly variables = new Map<string, tf.Variable>();
  private readonly hosted = new Map<string, HostMatrix>();
  private readonly specs = new Map<string, TensorSpec>();
  private readonly derived = new Map<string, tf.Tensor>();

  constructor(private readonly options: WeightStoreOptions = {}) {}

  /** Takes stored data (as in the checkpoint): a host matrix as stored, or a variable in the engine layout. */
  add(spec: TensorSpec, stored: StoredFloats): void {
    this.specs.set(spec.name, spec);
    if (this.options.host && spec.shape.length === 2) {
      this.hosted.set(spec.name, new HostMatrix(spec.name, [spec.shape[0]!, spec.shape[1]!], spec.layout, stored));
      return;
    }
    const values = widenStored(stored);
    const data = storedIsTransposed(spec.layout) ? transposeF32(values, spec.shape[0]!, spec.shape[1]!) : values;
    const variable = tf.tidy(() => tf.variable(tf.tensor(data, engineShape(spec), "float32"), true));
    this.variables.set(spec.name, variable);
  }

  get(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (v != null) return v;
    if (this.hosted.has(name)) {
      throw new C2iError(ErrorCode.INTERNAL, `"${name}" is held in host memory; the forward reads it through matrix() or rows()`);
    }
    throw new C2iError(ErrorCode.NOT_FOUND, `model has no tensor "${name}"`);
  }

  matrix(name: string): MatrixWeight {
    return this.hosted.get(name) ?? this.get(name);
  }

  rows(name: string, ids: tf.Tensor1D): tf.Tensor2D {
    const host = this.hosted.get(name);
    if (host == null) return tf.gather(this.get(name), ids) as tf.Tensor2D;
    const list = ids.dataSync();
    return tf.tensor2d(host.gather(list), [list.length, host.shape[1]]);
  }

  transposed(name: string): tf.Tensor {
    let t = this.derived.get(name);
    if (t == null) {
      // Made outside any caller's tidy so that it lives as long as the model.
      t = tf.engine().runKernel(tf.Transpose, { x: this.get(name) }, { perm: [1, 0] }) as tf.Tensor;
      tf.keep(t);
      this.derived.set(name, t);
    }
    return t;
  }

  /** A matrix as float32 with rows = output features (y = W x), row-major. */
  readOutIn(name: string): Float32Array {
    const spec = this.spec(name);
    const host = this.hosted.get(name);
    if (host != null) {
      // Stored [out, in] (nn.Linear) is already rows = outputs; Conv1D's [in, out] is transposed.
      const values = host.copy();
      return storedIsTransposed(spec.layout) ? values : transposeF32(values, spec.shape[0]!, spec.shape[1]!);
    }
    return downloadTransposed(this.get(name));
  }

  /** Replaces a matrix in place from float32 rows = output features; derived copies are refreshed. */
  writeOutIn(name: string, data: Float32Array): void {
    const spec = this.spec(name);
    const host = this.hosted.get(name);
    if (host != null) {
      const [a, b] = spec.shape as [number, number];
      host.replace(storedIsTransposed(spec.layout) ? data : transposeF32(data, b, a));
      return;
    }
    const [inDim, outDim] = engineShape(spec) as [number, number];
    const value = tf.tidy(() => tf.transpose(tf.tensor2d(data, [outDim, inDim])));
    this.get(name).assign(value);
    value.dispose();
    const stale = this.derived.get(name);
    if (stale != null) {
      stale.dispose();
      this.derived.delete(name);
    }
  }

  /** Every tensor (or those in `only`) as stored in the checkpoint (matrices transposed back where needed), as float32. */
  stored(only?: ReadonlySet<string>): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, spec] of this.specs) {
      if (only && !only.has(name)) continue;
      const host = this.hosted.get(name);
      if (host != null) {
        out.set(name, { shape: [...spec.shape], data: host.copy() });
        continue;
      }
      const engine = this.get(name).dataSync() as Float32Array;
      const data = storedIsTransposed(spec.layout) ? transposeF32(engine, spec.shape[1]!, spec.shape[0]!) : Float32Array.from(engine);
      out.set(name, { shape: [...spec.shape], data });
    }
    return out;
  }

  /** Bytes of the variables on the backend (float32), derived copies not counted. */
  bytes(): number {
    let n = 0;
    for (const v of this.variables.values()) n += 4 * v.size;
    return n;
  }

  /** Bytes of the matrices held in host memory, in their stored dtypes. */
  hostBytes(): number {
    let n = 0;
    for (const h of this.hosted.values()) n += h.bytes;
    return n;
  }

  /** Whether matrices live in host memory (the backend holds vectors and activations only). */
  get onHost(): boolean {
    return this.options.host === true;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    for (const t of this.derived.values()) t.dispose();
    this.variables.clear();
    this.hosted.clear();
    this.derived.clear();
  }

  private spec(name: string): TensorSpec {
    const spec = this.specs.get(name);
    if (spec == null) throw new C2iError(ErrorCode.NOT_FOUND, `model has no tensor "${name}"`);
    return spec;
  }
}

/**
 * The transpose of a 2-D tensor as a Float32Array. Not inside `tf.tidy`: tidy walks a returned
 * typed array element by element (24 s for one 768×3072 matrix, measured), so dispose by hand.
 */
function downloadTransposed(x: tf.Tensor): Float32Array {
  const t = tf.transpose(x);
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}
