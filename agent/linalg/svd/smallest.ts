// Only the trailing singular triplets of a matrix: Gram matrix of its short side (dsyrk), its smallest eigenpairs (dsyevr), one Rayleigh–Ritz SVD.
import koffi from "koffi";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { Matrix } from "../matrix.ts";
import { LapackSvd, pinBlasThreads } from "./lapack.ts";
import { assertFinite, canonicalizeSigns } from "./signs.ts";
import type { SvdResult } from "./types.ts";

const ROW_MAJOR = 101;
const COL_MAJOR = 102;
const NO_TRANS = 111;
const TRANS = 112;
const LOWER = 122;
const char = (c: string): number => c.charCodeAt(0);

export interface SmallestSvdOptions {
  /** Trailing singular triplets kept per matrix: the score's `smallest`. @default 20 */
  smallest?: number;
  /**
   * Eigenvectors of the Gram matrix taken beyond `smallest` into the Rayleigh–Ritz step: the trailing subspace is
   * then only as uncertain as ε‖A‖²/(λ_{k+guard+1} − λ_k), not ε‖A‖²/(λ_{k+1} − λ_k), when σ_k and σ_{k+1} are close.
   * @default 8
   */
  guard?: number;
  /**
   * Largest accepted residual of a triplet, max_i ‖A·vᵢ − σᵢuᵢ‖ (or ‖Aᵀuᵢ − σᵢvᵢ‖) / ‖A‖_F. Above it the matrix
   * is decomposed by full dgesdd and that SVD's trailing triplets are returned (`partial.method` "dgesdd"): this
   * catches σ = 0 (whose long-side vector the Gram path cannot give) and σ_max/σ beyond ~10⁶. @default 1e-10
   */
  maxResidual?: number;
  /** Library names tried in order (as `loadLapackSvd`). @default ["liblapacke.so.3", "liblapacke.so"] */
  libraries?: string[];
}

/** The four routines, bound from one LAPACKE library (its BLAS is found through the same handle). */
interface Native {
  /** cblas_dsyrk: C = α·op(A)·op(A)ᵀ + β·C on one triangle. */
  dsyrk(order: number, uplo: number, trans: number, n: number, k: number, alpha: number, a: Float64Array, lda: number, beta: number, c: Float64Array, ldc: number): void;
  dgemm(order: number, transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number): void;
  /** LAPACKE_dsyevr with RANGE = 'I': eigenpairs il…iu (1-based, ascending) by MRRR after one tridiagonalisation. */
  dsyevr(
    layout: number, jobz: number, range: number, uplo: number, n: number, a: Float64Array, lda: number, vl: number, vu: number,
    il: number, iu: number, abstol: number, m: Int32Array, w: Float64Array, z: Float64Array, ldz: number, isuppz: Int32Array,
  ): number;
}

/**
 * Loads LAPACKE_dsyevr, LAPACKE_dgesdd, cblas_dsyrk and cblas_dgemm from the first LAPACKE library that has them
 * (Debian's liblapacke links the system BLAS, which is OpenBLAS when installed, so dlsym on its handle finds CBLAS).
 * Throws C2iError NOT_FOUND naming every library tried.
 */
export function loadSmallestSvd(options: SmallestSvdOptions = {}): SmallestSvd {
  smallestSettings(options);
  const names = options.libraries ?? ["liblapacke.so.3", "liblapacke.so"];
  const failures: string[] = [];
  for (const name of names) {
    try {
      const lib = koffi.load(name);
      const native: Native = {
        dsyrk: lib.func("void cblas_dsyrk(int order, int uplo, int trans, int n, int k, double alpha, const double *a, int lda, double beta, _Inout_ double *c, int ldc)"),
        dgemm: lib.func(
          "void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha, const double *a, int lda, const double *b, int ldb, double beta, _Inout_ double *c, int ldc)",
        ),
        dsyevr: lib.func(
          "int LAPACKE_dsyevr(int layout, char jobz, char range, char uplo, int n, _Inout_ double *a, int lda, double vl, double vu, int il, int iu, double abstol, _Out_ int *m, _Out_ double *w, _Out_ double *z, int ldz, _Out_ int *isuppz)",
        ),
      };
      const dgesdd = lib.func(
        "int LAPACKE_dgesdd(int layout, char jobz, int m, int n, _Inout_ double *a, int lda, _Out_ double *s, _Out_ double *u, int ldu, _Out_ double *vt, int ldvt)",
      );
      pinBlasThreads();
      return new SmallestSvd(native, new LapackSvd(dgesdd, name), options);
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new C2iError(ErrorCode.NOT_FOUND, `LAPACKE/CBLAS not loadable for the smallest-triplet SVD (${failures.join("; ")}); install the Debian packages liblapacke and libopenblas0-pthread`);
}

/**
 * The `smallest` trailing singular triplets of A (p×n, q = min(p, n)), for the score (σ-gradients need nothing
 * else), 5–11× faster than a full dgesdd on 1B-model shapes (bench/svd/smallest.md):
 *
 * 1. G = A·Aᵀ when p ≤ n, else Aᵀ·A (q×q, dsyrk: half the flops of a product, level 3);
 * 2. its k + guard smallest eigenpairs (dsyevr, RANGE = 'I'): the short side's trailing singular subspace Y;
 * 3. Rayleigh–Ritz without squaring: the SVD of B = Aᵀ·Y (resp. A·Y), long × (k + guard), B = Q·Σ·Wᵀ gives
 *    σ = Σ, the long side's vectors Q and the short side's Y·W, orthonormal to rounding; the trailing k are kept.
 *
 * Accuracy. The Gram matrix squares the condition: its eigenvalues carry absolute error ~ε‖A‖², so λᵢ = σᵢ² alone
 * would give σᵢ with relative error ~ε·(σ_max/σᵢ)². Step 3 computes σ from B, whose rounding is ε‖A‖: the σ are
 * then as accurate as the subspace Y, whose angle to the true one is ~ε‖A‖²/(λ_{k+guard+1} − λ_k); the tests
 * check ε·(σ_max/σᵢ)² as a bound and measure ~ε·σ_max/σᵢ when the spectrum is not clustered at that edge. The
 * pairs satisfy the long side's relation (Aᵀu = σv, resp. Av = σu) to rounding and the other one to
 * ~ε‖A‖²/σ, which is checked (`maxResidual`): a part whose pairs fail it — σ = 0 (rank-deficient or zero parts,
 * duplicate rows), whose long-side vector cannot come from A·v/σ, or σ_max/σ beyond ~10⁶, where ε‖A‖²/σ exceeds
 * the default 1e-10·‖A‖_F — is decomposed by full dgesdd instead, so every returned triplet is a valid one.
 *
 * The result has r = k: it *is* the smallest-k SVD of A (u p×k, s descending, vt k×n) with `partial.rank` = q,
 * so σ-gradients, `sigmaProbes` and `scoreMatrix` read it as they read a full SVD for any smallest ≤ k; it can
 * never be truncated. Signs follow `canonicalizeSigns`, as dgesdd's do. It is deliberately not an `Svd`: code that
 * reads the leading triplets (K-subspaces, truncation) must not be handed one; `factorMatrix` takes it as `partSvd`.
 */
export class SmallestSvd {
  readonly name = "gram-dsyevr";
  readonly smallest: number;
  private readonly guard: number;
  private readonly maxResidual: number;

  constructor(
    private readonly native: Native,
    /** Full SVD for the Rayleigh–Ritz step's small matrix and for parts that fail the residual check. */
    private readonly full: LapackSvd,
    options: SmallestSvdOptions = {},
  ) {
    ({ smallest: this.smallest, guard: this.guard, maxResidual: this.maxResidual } = smallestSettings(options));
  }

  /** The library the routines came from. */
  get library(): string {
    return this.full.library;
  }

  /** The trailing min(smallest, q) triplets of `a`, descending, with `partial`; never modifies `a`. */
  decompose(a: Matrix): SvdResult {
    assertFinite(a, "smallest-triplet SVD");
    const { rows: p, cols: n } = a;
    const q = Math.min(p, n);
    const k = Math.min(this.smallest, q);
    if (k === 0) return { u: { rows: p, cols: 0, data: new Float64Array(0) }, s: new Float64Array(0), vt: { rows: 0, cols: n, data: new Float64Array(0) }, partial: { rank: q, method: "gram" } };
    const res = this.gram(a, k);
    if (res) return { ...canonicalizeSigns(res), partial: { rank: q, method: "gram" } };
    return { ...trailing(this.full.decompose(a), k), partial: { rank: q, method: "dgesdd" } };
  }

  /** Steps 1–3 of the class comment; undefined when the pairs fail the residual check. */
  private gram(a: Matrix, k: number): SvdResult | undefined {
    const { rows: p, cols: n, data } = a;
    const wide = p <= n;
    const q = wide ? p : n;
    const long = wide ? n : p;
    const kk = Math.min(q, k + this.guard);
    const { dsyrk, dgemm, dsyevr } = this.native;
    // Row-major lower triangle = column-major upper triangle of the symmetric G.
    const g = new Float64Array(q * q);
    dsyrk(ROW_MAJOR, LOWER, wide ? NO_TRANS : TRANS, q, long, 1, data, n, 0, g, q);
    let trace = 0;
    for (let i = 0; i < q; i++) trace += g[i * q + i]!;
    const frobenius = Math.sqrt(trace);
    // Column-major z (q × kk) is row-major yt (kk × q): row j is the eigenvector of the j-th smallest λ.
    const yt = new Float64Array(kk * q);
    const found = new Int32Array(1);
    const info = dsyevr(COL_MAJOR, char("V"), char("I"), char("U"), q, g, q, 0, 0, 1, kk, 0, found, new Float64Array(q), yt, q, new Int32Array(2 * kk));
    if (info !== 0 || found[0] !== kk) {
      throw new C2iError(
        ErrorCode.NUMERIC,
        `LAPACKE_dsyevr failed on the ${q}×${q} Gram matrix of a ${p}×${n} matrix (info ${info}, ${found[0]} of ${kk} eigenpairs); check the matrix or use the full SVD`,
      );
    }
    // B = Aᵀ·Y (wide) or A·Y (tall), long × kk, and its SVD B = Q·Σ·Wᵀ.
    const b = new Float64Array(long * kk);
    dgemm(ROW_MAJOR, wide ? TRANS : NO_TRANS, TRANS, long, kk, q, 1, data, n, yt, q, 0, b, kk);
    const ritz = this.full.decompose({ rows: long, cols: kk, data: b });
    // The short side's vectors Y·W (q × kk).
    const yw = new Float64Array(q * kk);
    dgemm(ROW_MAJOR, TRANS, TRANS, q, kk, kk, 1, yt, q, ritz.vt.data, kk, 0, yw, kk);
    const from = kk - k;
    const s = ritz.s.slice(from);
    const u = new Float64Array(p * k);
    const vt = new Float64Array(k * n);
    const [uSrc, vSrc] = wide ? [yw, ritz.u.data] : [ritz.u.data, yw];
    for (let i = 0; i < p; i++) for (let c = 0; c < k; c++) u[i * k + c] = uSrc[i * kk + from + c]!;
    for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) vt[c * n + j] = vSrc[j * kk + from + c]!;
    const res: SvdResult = { u: { rows: p, cols: k, data: u }, s, vt: { rows: k, cols: n, data: vt } };
    return this.residual(a, res, wide) <= this.maxResidual * frobenius ? res : undefined;
  }

  /** max_i ‖A·vᵢ − σᵢuᵢ‖ (wide: the relation step 3 does not impose) or ‖Aᵀuᵢ − σᵢvᵢ‖ (tall). */
  private residual(a: Matrix, res: SvdResult, wide: boolean): number {
    const { rows: p, cols: n, data } = a;
    const k = res.s.length;
    const len = wide ? p : n;
    const prod = new Float64Array(len * k);
    if (wide) this.native.dgemm(ROW_MAJOR, NO_TRANS, TRANS, p, k, n, 1, data, n, res.vt.data, n, 0, prod, k);
    else this.native.dgemm(ROW_MAJOR, TRANS, NO_TRANS, n, k, p, 1, data, n, res.u.data, k, 0, prod, k);
    const sums = new Float64Array(k);
    for (let i = 0; i < len; i++) {
      for (let c = 0; c < k; c++) {
        const other = wide ? res.u.data[i * k + c]! : res.vt.data[c * n + i]!;
        sums[c]! += (prod[i * k + c]! - res.s[c]! * other) ** 2;
      }
    }
    return Math.sqrt(Math.max(0, ...sums));
  }
}

/** The settings with their defaults, checked once (before any library is loaded, so that a bad one is named as such). */
function smallestSettings(options: SmallestSvdOptions): { smallest: number; guard: number; maxResidual: number } {
  const { smallest = 20, guard = 8, maxResidual = 1e-10 } = options;
  if (!Number.isInteger(smallest) || smallest < 1) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `SmallestSvd: smallest = ${smallest} must be a positive integer (default 20)`);
  }
  if (!Number.isInteger(guard) || guard < 0) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `SmallestSvd: guard = ${guard} must be a non-negative integer (default 8)`);
  }
  if (!(maxResidual > 0)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `SmallestSvd: maxResidual = ${maxResidual} must be positive (default 1e-10)`);
  }
  return { smallest, guard, maxResidual };
}

/** The trailing k triplets of a full economy SVD (copies). */
function trailing(res: SvdResult, k: number): SvdResult {
  const r = res.s.length;
  const from = r - k;
  const { rows: p } = res.u;
  const n = res.vt.cols;
  const u = new Float64Array(p * k);
  for (let i = 0; i < p; i++) u.set(res.u.data.subarray(i * r + from, i * r + r), i * k);
  return { u: { rows: p, cols: k, data: u }, s: res.s.slice(from), vt: { rows: k, cols: n, data: res.vt.data.slice(from * n, r * n) } };
}
