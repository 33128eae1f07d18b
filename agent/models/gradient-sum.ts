// Summing ∂L/∂W over micro-batches: on the device when the model can (gradientSum), else one download per loss.
import type * as tf from "@tensorflow/tfjs";
import type { GradientSum, LanguageModel } from "./types.ts";

/** The model's own device-side sum, or a host-side sum over `model.gradients` for models without one. */
export function sumGradients(model: LanguageModel, names: readonly string[]): GradientSum {
  return model.gradientSum?.(names) ?? new HostGradientSum(model, names);
}

/** Adds each loss's downloaded gradients into float32 arrays on the host. */
class HostGradientSum implements GradientSum {
  private readonly sums = new Map<string, Float32Array>();

  constructor(
    private readonly model: LanguageModel,
    private readonly names: readonly string[],
  ) {}

  add(loss: () => tf.Scalar): number {
    const { value, grads } = this.model.gradients(this.names, loss);
    for (const [name, grad] of grads) {
      const sum = this.sums.get(name);
      if (sum == null) this.sums.set(name, grad);
      else for (let i = 0; i < sum.length; i++) sum[i]! += grad[i]!;
    }
    return value;
  }

  read(): Map<string, Float32Array> {
    const size = (name: string) => {
      const info = this.model.candidates.find((c) => c.name === name);
      return info ? info.rows * info.cols : 0;
    };
    return new Map(this.names.map((name) => [name, Float32Array.from(this.sums.get(name) ?? new Float32Array(size(name)))]));
  }

  dispose(): void {
    this.sums.clear();
  }
}
