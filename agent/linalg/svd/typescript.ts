// The reference SVD in TypeScript (float64): QR first when tall, Householder bidiagonalisation, bidiagonal QR.
import { type Matrix, transpose, transposeStrided } from "../matrix.ts";
import { bidiagonalQr } from "./bidiagonal-qr.ts";
import { bidiagonalize } from "./bidiagonal.ts";
import { applyReflectorsReverse } from "./block-reflector.ts";
import { qrTransposed } from "./qr.ts";
import { assertFinite, canonicalizeSigns } from "./signs.ts";
import { type Svd, SvdName, type SvdResult } from "./types.ts";

export interface TypeScriptSvdOptions {
  /**
   * Factor a tall m×n matrix as QR first and bidiagonalise only the n×n R when m ≥ qrRatio·n
   * (fewer flops past ~1.6, as in LAPACK's dgesdd).
   * @default 1.6
   */
  qrRatio?: number;
  /** Reflectors per panel of the blocked QR. @default 32 */
  panel?: number;
}

/**
 * Economy SVD computed entirely in float64 typed arrays. Every step is backward stable
 * (orthogonal transformations only), so each σ has absolute error O(ε‖A‖) and U, V are
 * orthonormal to rounding even for rank-deficient or zero inputs. Wide inputs are factored as
 * their transpose. The working layout keeps every vector in a contiguous row.
 */
export class TypeScriptSvd implements Svd {
  readonly name = SvdName.typescript;
  private readonly qrRatio: number;
  private readonly panel: number;

  constructor(options: TypeScriptSvdOptions = {}) {
    this.qrRatio = options.qrRatio ?? 1.6;
    this.panel = options.panel ?? 32;
  }

  decompose(a: Matrix): SvdResult {
    assertFinite(a, "TypeScript SVD");
    const { rows: m, cols: n } = a;
    const r = Math.min(m, n);
    if (r === 0) {
      return { u: { rows: m, cols: 0, data: new Float64Array(0) }, s: new Float64Array(0), vt: { rows: 0, cols: n, data: new Float64Array(0) } };
    }
    if (m < n) {
      // a = (aᵀ)ᵀ: factor the tall aᵀ, whose transposed storage is a itself (copied, as it is overwritten).
      const lda = padded(n);
      const f = this.tall(strided(a.data, m, n, lda), n, m, lda);
      const u = transpose({ rows: r, cols: r, data: f.vt });
      return canonicalizeSigns({ u, s: f.s, vt: { rows: r, cols: n, data: compact(f.ut, r, f.ldu, n, n) } });
    }
    const lda = padded(m);
    const f = this.tall(transposeStrided(a.data, m, n, lda), m, n, lda);
    const u = transpose({ rows: r, cols: m, data: compact(f.ut, r, f.ldu, m, m) });
    return canonicalizeSigns({ u, s: f.s, vt: { rows: r, cols: n, data: f.vt } });
  }

  /** Tall core: A (m×n, m ≥ n) given as at = Aᵀ (row stride lda); returns Uᵀ (n×m, row stride ldu), σ, Vᵀ (n×n). */
  private tall(at: Float64Array, m: number, n: number, lda: number): { ut: Float64Array; ldu: number; s: Float64Array; vt: Float64Array } {
    const useQr = m >= this.qrRatio * n && n > 1;
    let qr: ReturnType<typeof qrTransposed> | undefined;
    let bd;
    if (useQr) {
      qr = qrTransposed(at, n, m, this.panel, lda);
      bd = bidiagonalize(qr.rt, n, n, n);
    } else {
      bd = bidiagonalize(at, n, m, lda);
    }
    // U_B and V_B are rotated in padded work arrays (see padded), then copied out compact.
    const w = useQr ? n : m;
    const ldu = padded(w);
    const ub = new Float64Array(n * ldu);
    for (let j = 0; j < n; j++) ub[j * ldu + j] = 1;
    const ldv = padded(n);
    const vb = new Float64Array(n * ldv);
    for (let j = 0; j < n; j++) vb[j * ldv + j] = 1;
    bidiagonalQr(bd.d, bd.e, n, ub, ldu, vb, ldv, n);
    // Uᵀ = U_Bᵀ · L_{n−1}…L₀ · H_{n−1}…H₀ and Vᵀ = V_Bᵀ · R_last…R₀: reflectors in reverse order.
    applyReflectorsReverse(ub, ldu, 0, n, bd.left, 0, n, this.panel);
    if (bd.right.length > 0) applyReflectorsReverse(vb, ldv, 0, n, bd.right, 0, bd.right.length, this.panel);
    const vt = compact(vb, n, ldv, n, n);
    if (!qr) return { ut: ub, ldu, s: bd.d, vt };
    const ldq = padded(m);
    const ut = compact(ub, n, ldu, n, ldq);
    applyReflectorsReverse(ut, ldq, 0, n, qr.refls, 0, n, this.panel);
    return { ut, ldu: ldq, s: bd.d, vt };
  }
}

/**
 * Row stride for an n-row work array whose rows are w long: a stride that is a multiple of 128
 * bytes (w % 16 = 0, as in 768 or 3072) sends the rows of a narrow column strip into a handful of
 * cache sets, and the bidiagonal QR walks exactly such strips; eight doubles of padding spread them.
 */
function padded(w: number): number {
  return w % 16 === 0 ? w + 8 : w;
}

/** The first w entries of each of `rows` rows of stride ld, as rows of stride `width` (zero past w). */
function compact(a: Float64Array, rows: number, ld: number, w: number, width: number): Float64Array {
  if (ld === width) return a;
  const out = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) out.set(a.subarray(i * ld, i * ld + w), i * width);
  return out;
}

/** The rows×cols row-major `data` copied into rows of stride ld. */
function strided(data: Float64Array, rows: number, cols: number, ld: number): Float64Array {
  const out = new Float64Array(rows * ld);
  for (let i = 0; i < rows; i++) out.set(data.subarray(i * cols, (i + 1) * cols), i * ld);
  return out;
}

