// The reference SVD in TypeScript (float64): QR first when tall, Householder bidiagonalisation, bidiagonal QR.
import { type Matrix, transpose } from "../matrix.ts";
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
      const f = this.tall(Float64Array.from(a.data), n, m);
      const u = transpose({ rows: r, cols: r, data: f.vt });
      return canonicalizeSigns({ u, s: f.s, vt: { rows: r, cols: n, data: f.ut } });
    }
    const f = this.tall(transpose(a).data, m, n);
    const u = transpose({ rows: r, cols: m, data: f.ut });
    return canonicalizeSigns({ u, s: f.s, vt: { rows: r, cols: n, data: f.vt } });
  }

  /** Tall core: A (m×n, m ≥ n) given as at = Aᵀ; returns Uᵀ (n×m), σ, Vᵀ (n×n). */
  private tall(at: Float64Array, m: number, n: number): { ut: Float64Array; s: Float64Array; vt: Float64Array } {
    const useQr = m >= this.qrRatio * n && n > 1;
    let qr: ReturnType<typeof qrTransposed> | undefined;
    let bd;
    if (useQr) {
      qr = qrTransposed(at, n, m, this.panel);
      bd = bidiagonalize(qr.rt, n, n, n);
    } else {
      bd = bidiagonalize(at, n, m, m);
    }
    const ut = new Float64Array(n * m);
    for (let j = 0; j < n; j++) ut[j * m + j] = 1;
    const vt = new Float64Array(n * n);
    for (let j = 0; j < n; j++) vt[j * n + j] = 1;
    bidiagonalQr(bd.d, bd.e, n, ut, m, vt, n, n);
    // Uᵀ = U_Bᵀ · L_{n−1}…L₀ · H_{n−1}…H₀ and Vᵀ = V_Bᵀ · R_last…R₀: reflectors in reverse order.
    applyReflectorsReverse(ut, m, 0, n, bd.left, 0, n, this.panel);
    if (bd.right.length > 0) applyReflectorsReverse(vt, n, 0, n, bd.right, 0, bd.right.length, this.panel);
    if (qr) applyReflectorsReverse(ut, m, 0, n, qr.refls, 0, n, this.panel);
    return { ut, s: bd.d, vt };
  }
}
