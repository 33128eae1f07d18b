// Test helpers for linalg: seeded matrices, orthogonal factors built independently of the SVD code, and checks.
import { type Matrix, multiply, transpose } from "../../agent/linalg/matrix.ts";
import { mulberry32 } from "../../common/random.ts";
import { loadLapackSvd } from "../../agent/linalg/svd/lapack.ts";
import type { Svd, SvdResult } from "../../agent/linalg/svd/types.ts";
import type { OpenBlas } from "../../agent/compute/blas/library.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";

/** Deterministic uniform(−0.5, 0.5) stream (mulberry32). */
export function rng(seed: number): () => number {
  const random = mulberry32(seed);
  return () => random() - 0.5;
}

export function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const r = rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, r) };
}

/** rows×cols with orthonormal columns, by modified Gram–Schmidt applied twice to a random matrix. */
export function orthonormalColumns(rows: number, cols: number, seed: number): Matrix {
  const q = transpose(randomMatrix(rows, cols, seed)); // rows of q are the columns
  const d = q.data;
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < cols; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += d[j * rows + i] * d[k * rows + i];
        for (let i = 0; i < rows; i++) d[j * rows + i] -= dot * d[k * rows + i];
      }
      let nrm = 0;
      for (let i = 0; i < rows; i++) nrm += d[j * rows + i] ** 2;
      nrm = Math.sqrt(nrm);
      for (let i = 0; i < rows; i++) d[j * rows + i] /= nrm;
    }
  }
  return transpose(q);
}

/** Q₁ diag(σ) Q₂ᵀ with the given σ (rows, cols ≥ σ.length). */
export function withSpectrum(rows: number, cols: number, sigma: number[], seed: number): Matrix {
  const k = sigma.length;
  const q1 = orthonormalColumns(rows, k, seed);
  const q2 = orthonormalColumns(cols, k, seed + 1);
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) q1.data[i * k + j] *= sigma[j];
  return multiply(q1, transpose(q2));
}

export function reconstruct(res: SvdResult): Matrix {
  const r = res.s.length;
  const us = { rows: res.u.rows, cols: r, data: res.u.data.map((x, i) => x * res.s[i % r]) };
  return multiply(us, res.vt);
}

/** max |MᵀM − I| over the columns of m. */
export function orthonormalityError(m: Matrix): number {
  const g = multiply(transpose(m), m);
  let err = 0;
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) err = Math.max(err, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
  return err;
}

function lapackOrUndefined(): Svd | undefined {
  try {
    return loadLapackSvd();
  } catch {
    return undefined;
  }
}

export const lapack = lapackOrUndefined();
/** Both SVD paths, for suites that must hold on each; LAPACK is marked absent on machines without liblapacke. */
export const svdPaths: { name: string; svd: Svd | undefined }[] = [
  { name: "typescript", svd: new TypeScriptSvd() },
  { name: "typescript (no QR first)", svd: new TypeScriptSvd({ qrRatio: Number.POSITIVE_INFINITY }) },
  { name: "lapack-dgesdd", svd: lapack },
  { name: "typescript (JavaScript kernels only)", svd: new TypeScriptSvd({ kernels: "javascript" }) },
];

/** Row-major cblas_sgemm semantics with float64 sums, each output rounded once to float32 (a stand-in for OpenBLAS). */
export const referenceGemm: Pick<OpenBlas, "sgemm"> = {
  sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += (transA ? a[p * lda + i]! : a[i * lda + p]!) * (transB ? b[j * ldb + p]! : b[p * ldb + j]!);
        c[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * ldc + j]!);
      }
    }
  },
};
