// σ-gradients of factored candidates summed over a pass's micro-batches from the tokens' projections, without ∂L/∂W.
import type * as tf from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { hostKernelActive, hostViews } from "../compute/blas/host-matmul.ts";
import { SigmaProjection, type SigmaProbes } from "../linalg/sigma-projection.ts";
import type { LanguageModel } from "./types.ts";

/** Like GradientSum (./types.ts), but what grows is each (matrix, factorization)'s σ-gradients. */
export interface SigmaSum {
  /** Runs the forward and backward pass of `loss`, adds its σ-gradients to the sums, and returns its value. */
  add(loss: () => tf.Scalar): number;
  /** Per matrix, per probe set in the order given: the σ-gradients per part (as `factoredSigmaGradients` returns them). */
  read(): Map<string, Float64Array[][]>;
  dispose(): void;
}

/** Whether `model` can sum σ-gradients by projection: weights in host memory and the host kernel's OpenBLAS. */
export function canProjectSigmas(model: LanguageModel): boolean {
  return model.tappedBackward !== undefined && model.weightsOnHost === true && hostKernelActive();
}

/**
 * Each micro-batch's (x, dy) of a named matrix is projected onto every probe set of that matrix (one per block
 * count) in place on the backend's storage: O(T·(m + n)·r) work and r numbers per set instead of an m×n sum.
 */
export function sigmaSum(model: LanguageModel, probes: ReadonlyMap<string, readonly SigmaProbes[]>): SigmaSum {
  if (!canProjectSigmas(model)) {
    throw new C2iError(ErrorCode.INTERNAL, "σ-gradients by projection need weights in host memory and the BLAS host kernel");
  }
  const names = [...probes.keys()];
  const projections = new Map<string, SigmaProjection[]>();
  const tap = (name: string, x: tf.Tensor2D, dy: tf.Tensor2D) => {
    const host = hostViews([x, dy]);
    if (host === undefined) throw new C2iError(ErrorCode.INTERNAL, `${name}: the backward pass's x and dy are not float32 storage the host kernel can read`);
    let list = projections.get(name);
    if (list === undefined) {
      list = probes.get(name)!.map((p) => new SigmaProjection(p, host.blas));
      projections.set(name, list);
    }
    // SigmaProjection allocates nothing on the backend, so the views stay valid across the probe sets.
    for (const p of list) p.add(host.views[0]!, host.views[1]!, x.shape[0]);
  };
  return {
    add: (loss) => model.tappedBackward!(names, tap, loss),
    read: () => new Map(names.map((n) => [n, projections.get(n)?.map((p) => p.read()) ?? probes.get(n)!.map((p) => zeros(p))])),
    dispose: () => projections.clear(),
  };
}

/** The σ-gradients of a matrix no loss reached: zeros in the trailing entries, NaN before them (as `read` gives). */
function zeros(p: SigmaProbes): Float64Array[] {
  return p.parts.map((part) => {
    const out = new Float64Array(part.rank).fill(Number.NaN);
    out.fill(0, part.rank - part.count);
    return out;
  });
}
