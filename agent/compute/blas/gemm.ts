// Runs a planned batched matMul as cblas_sgemm calls on views of the operands' own storage.
import type { OpenBlas } from "./library.ts";
import type { MatMulPlan } from "./plan.ts";

/**
 * Writes op(A)·op(B) + beta·out into `out` (row-major, plan.outShape). `a`, `b`, `out` may be views into one
 * heap. A weight shared by every batch (the linear-layer case) is folded into one GEMM with M = batch·m.
 */
export function batchedGemm(blas: OpenBlas, plan: MatMulPlan, a: Float32Array, b: Float32Array, out: Float32Array, beta: 0 | 1 = 0): void {
  const { batch, m, n, k, transposeA, transposeB } = plan;
  if (batch === 0 || m === 0 || n === 0) return;
  if (k === 0) {
    if (beta === 0) out.fill(0);
    return;
  }
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  if (plan.bBatch === 1 && plan.aBatch === batch && !transposeA) {
    blas.sgemm(false, transposeB, batch * m, n, k, 1, a, lda, b, ldb, beta, out, n);
    return;
  }
  const aSize = m * k;
  const bSize = k * n;
  const outSize = m * n;
  for (let i = 0; i < batch; i++) {
    const aOff = plan.aOffsets[i];
    const bOff = plan.bOffsets[i];
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      a.subarray(aOff, aOff + aSize),
      lda,
      b.subarray(bOff, bOff + bSize),
      ldb,
      beta,
      out.subarray(i * outSize, (i + 1) * outSize),
      n,
    );
  }
}
