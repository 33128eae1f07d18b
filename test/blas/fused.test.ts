// _FusedMatMul through cblas_sgemm: bias broadcasting and every activation tfjs fuses, against the backend's kernels.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, it } from "vitest";
import { FUSED_ACTIVATIONS, type FusedActivation } from "../../agent/compute/blas/epilogue.ts";
import { unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { BACKENDS, blasMissing, expectClose, randn, useBackend, withAndWithoutBlas, withBlas } from "./backends.ts";

/** The unfused composition, run on the backend's own kernels: what _FusedMatMul must equal. */
function unfused(a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean, bias: tf.Tensor | undefined, act: FusedActivation, prelu?: tf.Tensor): tf.Tensor {
  let x = tf.matMul(a, b, tA, tB);
  if (bias) x = tf.add(x, bias);
  switch (act) {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "relu6":
      return tf.relu6(x);
    case "elu":
      return tf.elu(x);
    case "leakyrelu":
      return tf.leakyRelu(x, 0.15);
    case "sigmoid":
      return tf.sigmoid(x);
    case "prelu":
      // Not tf.prelu: the wasm backend's Prelu ignores broadcasting over any axis but the last (measured).
      return tf.where(tf.less(x, 0), tf.mul(x, prelu!), x);
  }
}

describe.skipIf(blasMissing !== undefined).each(BACKENDS)("BLAS _FusedMatMul on %s", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => {
    unregisterBlasKernels(backend);
  });

  // tfjs-backend-wasm 4.22's own _FusedMatMul adds the bias wrongly when the batch is > 1 or an operand is
  // transposed (it errs by O(1) against matMul + add, measured); there the reference is the unfused composition.
  for (const act of FUSED_ACTIVATIONS) {
    for (const [tA, tB] of [[false, false], [true, true], [false, true]] as const) {
      for (const batch of [1, 2]) {
        it(`equals the unfused ops (and the backend's fused kernel where it is right), activation ${act}, batch ${batch}, transposeA=${tA}, transposeB=${tB}`, () => {
          tf.tidy(() => {
            const a = randn(tA ? [batch, 9, 6] : [batch, 6, 9], 11);
            const b = randn(tB ? [batch, 5, 9] : [batch, 9, 5], 12);
            const bias = randn([5], 13);
            const preluActivationWeights = act === "prelu" ? randn([5], 14) : undefined;
            const run = () =>
              tf.fused.matMul({ a, b, transposeA: tA, transposeB: tB, bias, activation: act, preluActivationWeights, leakyreluAlpha: 0.15 });
            const { original, blas } = withAndWithoutBlas(backend, run);
            if (backend !== "wasm" || (batch === 1 && !tA && !tB)) expectClose(blas, original);
            unregisterBlasKernels(backend);
            expectClose(blas, unfused(a, b, tA, tB, bias, act, preluActivationWeights));
          });
        });
      }
    }
  }

  const BIAS_SHAPES: number[][] = [[1], [1, 5], [6, 5], [2, 6, 5], [2, 1, 1], [6, 1]];
  for (const shape of BIAS_SHAPES) {
    it(`broadcasts a bias of shape [${shape}] over a [2,6,5] product like add()`, () => {
      tf.tidy(() => {
        const a = randn([2, 6, 9], 21);
        const b = randn([9, 5], 22);
        const bias = randn(shape, 23);
        const preluActivationWeights = randn([6, 1], 24);
        // The wasm backend's own kernel rejects biases of rank > 1; add() is the reference everywhere.
        const blas = withBlas(backend, () =>
          tf.fused.matMul({ a, b, bias, activation: "prelu", preluActivationWeights }),
        );
        unregisterBlasKernels(backend);
        expectClose(blas, unfused(a, b, false, false, bias, "prelu", preluActivationWeights));
      });
    });
  }

  it("handles an empty product with a bias", () => {
    tf.tidy(() => {
      const a = randn([0, 4], 31);
      const b = randn([4, 3], 32);
      const bias = randn([3], 33);
      const { original, blas } = withAndWithoutBlas(backend, () => tf.fused.matMul({ a, b, bias, activation: "relu" }));
      expectClose(blas, original);
    });
  });
});
