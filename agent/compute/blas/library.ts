// Loads OpenBLAS through koffi: the one place that knows symbol names, CBLAS constants and library paths.
import koffi from "koffi";
import { C2iError, ErrorCode } from "../../../common/errors.ts";

/** CBLAS enum values (cblas.h): row-major layout, no-transpose / transpose. */
const CblasRowMajor = 101;
const CblasNoTrans = 111;
const CblasTrans = 112;

/**
 * OpenBLAS threads of every c2i process. The thread count is part of the arithmetic, not only of the speed:
 * OpenBLAS splits a product's rows and columns among its threads, and with some kernels (OPENBLAS_CORETYPE=Haswell
 * on an AVX-512 machine) the same sgemm gives other float32 roundings on 1 and 2 threads; LAPACK's dgesdd, whose
 * inner dgemm calls run on the same pool, differs on every kernel (`npx tsx bench/determinism/threads.ts`). One
 * thread everywhere makes a job's numbers the same on every agent, in the CLI and in `c2i apply`; more cores are
 * used by more agents (README, "Results do not depend on the number of agents").
 */
export const COMPUTE_THREADS = 1;

/** Debian's OpenBLAS (`libopenblas0-pthread`) as the BLAS alternative, then OpenBLAS by its own name. */
export const DEFAULT_BLAS_LIBRARIES = ["libblas.so.3", "libopenblas.so.0"] as const;

/** Row-major single-precision GEMM over typed arrays (or views into a larger buffer such as a wasm heap). */
export interface OpenBlas {
  /** The file that was loaded. */
  readonly library: string;
  /** `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64". */
  readonly config: string;
  /**
   * `openblas_get_corename()`: the kernel family in use, e.g. "Haswell" or "Cooperlake" (OPENBLAS_CORETYPE picks
   * it on DYNAMIC_ARCH builds). Different kernels round float32 sums differently, so it is part of an agent's numerics.
   */
  readonly core: string;
  /** C = alpha·op(A)·op(B) + beta·C, row-major, exactly cblas_sgemm. Views are passed to C without copies. */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
  /**
   * Process-wide OpenBLAS thread count (the library has one pool per process). Loading pins it to
   * COMPUTE_THREADS; only benches change it, to measure the machine's multi-threaded sgemm rate.
   */
  setThreads(threads: number): void;
  getThreads(): number;
}

export interface LoadOpenBlasOptions {
  /** Library to load instead of the Debian defaults. @default tries DEFAULT_BLAS_LIBRARIES in order */
  library?: string;
}

/** Loads OpenBLAS (its thread count pinned to COMPUTE_THREADS) or throws NOT_FOUND naming every path tried and the Debian package that provides it. */
export function loadOpenBlas(options: LoadOpenBlasOptions = {}): OpenBlas {
  const candidates = options.library ? [options.library] : [...DEFAULT_BLAS_LIBRARIES];
  const failures: string[] = [];
  for (const path of candidates) {
    try {
      return bind(path);
    } catch (e) {
      failures.push(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new C2iError(
    ErrorCode.NOT_FOUND,
    `OpenBLAS could not be loaded (${failures.join("; ")}); install the Debian package libopenblas0-pthread ` +
      `or pass the library path explicitly`,
  );
}

function bind(path: string): OpenBlas {
  const lib = koffi.load(path);
  const cblasSgemm = lib.func(
    "void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, " +
      "const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)",
  );
  // libblas.so.3 of libopenblas0-pthread links libopenblas.so.0, so dlsym on its handle finds these too.
  const setNumThreads = lib.func("void openblas_set_num_threads(int n)");
  const getNumThreads = lib.func("int openblas_get_num_threads()");
  const getConfig = lib.func("const char *openblas_get_config()");
  const getCore = lib.func("const char *openblas_get_corename()");
  setNumThreads(COMPUTE_THREADS);
  return {
    library: path,
    config: String(getConfig()),
    core: String(getCore()),
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      cblasSgemm(
        CblasRowMajor,
        transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans,
        m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
      );
    },
    setThreads(threads) {
      if (!Number.isInteger(threads) || threads < 1) {
        throw new C2iError(ErrorCode.INVALID_ARGUMENT, `OpenBLAS threads must be a positive integer, got ${threads}`);
      }
      setNumThreads(threads);
    },
    getThreads() {
      return Number(getNumThreads());
    },
  };
}
