// Gradients through the BLAS kernels (tfjs' matMul gradients are matMuls with transposes) equal the backend's own.
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, it } from "vitest";
import { unregisterBlasKernels } from "../../agent/compute/blas/register.ts";
import { BACKENDS, blasMissing, expectClose, randn, useBackend, withAndWithoutBlas } from "./backends.ts";

describe.skipIf(blasMissing !== undefined).each(BACKENDS)("gradients through BLAS kernels on %s", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  afterAll(() => {
    unregisterBlasKernels(backend);
  });

  for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`d(sum(w ⊙ matMul(a, b)))/da and /db equal the backend's, transposeA=${tA}, transposeB=${tB}`, () => {
      tf.tidy(() => {
        const a = randn(tA ? [3, 7, 5] : [3, 5, 7], 41);
        const b = randn(tB ? [3, 4, 7] : [3, 7, 4], 42);
        const w = randn([3, 5, 4], 43);
        const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, tf.matMul(x, y, tA, tB)));
        const { original, blas } = withAndWithoutBlas(backend, () => tf.grads(f)([a, b]));
        expectClose(blas[0], original[0]);
        expectClose(blas[1], original[1]);
      });
    });
  }

  it("gradient of a two-layer MLP with a fused bias + relu equals the backend's", () => {
    tf.tidy(() => {
      const x = randn([6, 8], 51);
      const w1 = randn([8, 16], 52);
      const b1 = randn([16], 53);
      const w2 = randn([16, 3], 54);
      const loss = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => {
        const h = tf.fused.matMul({ a: x, b: p, bias: q, activation: "relu" });
        return tf.mean(tf.square(tf.matMul(h, r)));
      };
      const { original, blas } = withAndWithoutBlas(backend, () => tf.grads(loss)([w1, b1, w2]));
      for (let i = 0; i < 3; i++) expectClose(blas[i], original[i]);
    });
  });
});
