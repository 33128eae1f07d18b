// Native LAPACK dgesdd (divide and conquer) through koffi FFI to liblapacke, behind the same Svd seam.
import koffi from "koffi";
import { C2iError } from "../../../common/errors.ts";
import { loadOpenBlas } from "../../compute/blas/library.ts";
import type { Matrix } from "../matrix.ts";
import { assertFinite, canonicalizeSigns } from "./signs.ts";
import { type Svd, SvdName, type SvdResult } from "./types.ts";

const LAPACK_ROW_MAJOR = 101;
const JOBZ_S = "S".charCodeAt(0);

type Dgesdd = (
  layout: number,
  jobz: number,
  m: number,
  n: number,
  a: Float64Array,
  lda: number,
  s: Float64Array,
  u: Float64Array,
  ldu: number,
  vt: Float64Array,
  ldvt: number,
) => number;

export interface LapackSvdOptions {
  /** Library names tried in order. @default ["liblapacke.so.3", "liblapacke.so"] */
  libraries?: string[];
}

/**
 * Loads LAPACKE_dgesdd; throws C2iError NOT_FOUND naming the libraries tried when none loads
 * (selectSvd turns that into a fallback, never an error for the user).
 */
export function loadLapackSvd(options: LapackSvdOptions = {}): LapackSvd {
  const names = options.libraries ?? ["liblapacke.so.3", "liblapacke.so"];
  const failures: string[] = [];
  for (const name of names) {
    try {
      const lib = koffi.load(name);
      const fn = lib.func(
        "int LAPACKE_dgesdd(int layout, char jobz, int m, int n, _Inout_ double *a, int lda, _Out_ double *s, _Out_ double *u, int ldu, _Out_ double *vt, int ldvt)",
      ) as Dgesdd;
      pinBlasThreads();
      return new LapackSvd(fn, name);
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new C2iError("NOT_FOUND", `LAPACKE not loadable (${failures.join("; ")}); install the Debian package liblapacke`);
}

/**
 * dgesdd's inner dgemm calls run on OpenBLAS's thread pool, and its factors' last bits change with the thread count
 * on every OpenBLAS kernel: loading OpenBLAS pins the pool to COMPUTE_THREADS. Without OpenBLAS (reference BLAS)
 * there is no pool to pin.
 */
export function pinBlasThreads(): void {
  try {
    loadOpenBlas();
  } catch {
    // No OpenBLAS on this machine: LAPACK runs on a single-threaded BLAS.
  }
}

export class LapackSvd implements Svd {
  readonly name = SvdName.lapack;
  constructor(
    private readonly dgesdd: Dgesdd,
    /** The shared library that was loaded, for the start-up log line. */
    readonly library: string,
  ) {}

  decompose(a: Matrix): SvdResult {
    assertFinite(a, "LAPACK SVD");
    const { rows: m, cols: n } = a;
    const r = Math.min(m, n);
    const s = new Float64Array(r);
    const u = new Float64Array(m * r);
    const vt = new Float64Array(r * n);
    if (r > 0) {
      const work = Float64Array.from(a.data);
      const info = this.dgesdd(LAPACK_ROW_MAJOR, JOBZ_S, m, n, work, n, s, u, r, vt, n);
      if (info !== 0) {
        throw new C2iError(
          "NUMERIC",
          `LAPACKE_dgesdd failed on a ${m}×${n} matrix (info ${info}: ${info < 0 ? "bad argument" : "did not converge"}); check the matrix for NaN/Inf or retry with prefer "typescript"`,
        );
      }
    }
    return canonicalizeSigns({ u: { rows: m, cols: r, data: u }, s, vt: { rows: r, cols: n, data: vt } });
  }
}
