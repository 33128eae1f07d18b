// Holds a model's weights as tf.Variables in the engine layout and converts to/from the stored layout.
import * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { TensorSpec, Weights } from "./arch/types.ts";
import { storedIsTransposed, transposeF32 } from "./layout.ts";

/** The engine-layout shape of a stored tensor: matrices become [in, out]. */
function engineShape(spec: TensorSpec): number[] {
  return storedIsTransposed(spec.layout) ? [spec.shape[1]!, spec.shape[0]!] : spec.shape;
}

export class WeightStore implements Weights {
  private readonly variables = new Map<string, tf.Variable>();
  private readonly specs = new Map<string, TensorSpec>();
  private readonly derived = new Map<string, tf.Tensor>();

  /** Takes stored data (as in the checkpoint) and keeps it as a variable in the engine layout. */
  add(spec: TensorSpec, stored: Float32Array): void {
    const data = storedIsTransposed(spec.layout) ? transposeF32(stored, spec.shape[0]!, spec.shape[1]!) : stored;
    const variable = tf.tidy(() => tf.variable(tf.tensor(data, engineShape(spec), "float32"), true));
    this.variables.set(spec.name, variable);
    this.specs.set(spec.name, spec);
  }

  get(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (v == null) throw new C2iError(ErrorCode.NOT_FOUND, `model has no tensor "${name}"`);
    return v;
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

  /** Replaces a variable's value in place (same shape, engine layout); derived copies are refreshed. */
  assign(name: string, engineValue: tf.Tensor): void {
    this.get(name).assign(engineValue);
    const stale = this.derived.get(name);
    if (stale != null) {
      stale.dispose();
      this.derived.delete(name);
    }
  }

  /** Every tensor as stored in the checkpoint (matrices transposed back where needed). */
  stored(): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, v] of this.variables) {
      const spec = this.specs.get(name)!;
      const engine = v.dataSync() as Float32Array;
      const data = storedIsTransposed(spec.layout) ? transposeF32(engine, spec.shape[1]!, spec.shape[0]!) : Float32Array.from(engine);
      out.set(name, { shape: [...spec.shape], data });
    }
    return out;
  }

  /** Bytes of the variables (float32), derived copies not counted. */
  bytes(): number {
    let n = 0;
    for (const v of this.variables.values()) n += 4 * v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    for (const t of this.derived.values()) t.dispose();
    this.variables.clear();
    this.derived.clear();
  }
}
