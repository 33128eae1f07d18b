// The reference SVD in TypeScript (float64): QR first when tall, Householder bidiagonalisation, bidiagonal QR.
import { type Matrix, transpose, transposeStrided } from "../matrix.ts";
import { bidiagonalQr, type RotationScratch } from "./bidiagonal-qr.ts";
import { type BidiagonalScratch, bidiagonalize } from "./bidiagonal.ts";
import { applyReflectorsReverse, type BlockScratch } from "./block-reflector.ts";
import { qrTransposed } from "./qr.ts";
import { assertFinite, canonicalizeSigns } from "./signs.ts";
import { type Svd, SvdName, type SvdResult } from "./types.ts";
import { compileKernels, type KernelModule } from "./wasm-kernels.ts";
import { KernelArena, type Workspace } from "./workspace.ts";

export interface TypeScriptSvdOptions {
  /**
   * Factor a tall m×n matrix as QR first and bidiagonalise only the n×n R when m ≥ qrRatio·n
   * (fewer flops past ~1.6, as in LAPACK's dgesdd).
   * @default 1.6
   */
  qrRatio?: number;
  /** Reflectors per panel of the blocked QR. @default 32 */
  panel?: number;
  /**
   * Kernels of the blocked (level-3) steps: "auto" runs our WebAssembly SIMD kernels where the
   * runtime supports them, else JavaScript; "javascript" always runs the JavaScript loops.
   * Both are float64 and never call BLAS; their results differ only by rounding order.
   * @default "auto"
   */
  kernels?: "auto" | "javascript";
}

/**
 * Economy SVD computed entirely in float64. Every step is backward stable (orthogonal
 * transformations only), so each σ has absolute error O(ε‖A‖) and U, V are orthonormal to
 * rounding even for rank-deficient or zero inputs. Wide inputs are factored as their transpose.
 * The working layout keeps every vector in a contiguous row; the large work arrays live in one
 * WebAssembly memory per call (workspace.ts) so that the SIMD kernels can update them in place.
 */
export class TypeScriptSvd implements Svd {
  readonly name = SvdName.typescript;
  private readonly qrRatio: number;
  private readonly panel: number;
  private readonly compiled: KernelModule | undefined;
  private readonly arena: KernelArena;

  constructor(options: TypeScriptSvdOptions = {}) {
    this.qrRatio = options.qrRatio ?? 1.6;
    this.panel = options.panel ?? 32;
    this.compiled = (options.kernels ?? "auto") === "auto" ? compileKernels() : undefined;
    this.arena = new KernelArena(this.compiled);
  }

  /** Whether the SIMD kernels run (false: JavaScript loops only). */
  get simd(): boolean {
    return this.compiled !== undefined;
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
      const ws = this.workspace(n, m);
      const at = ws.take(m * lda);
      for (let i = 0; i < m; i++) at.set(a.data.subarray(i * n, (i + 1) * n), i * lda);
      const f = this.tall(at, n, m, lda, ws);
      const u = transpose({ rows: r, cols: r, data: f.vt });
      return canonicalizeSigns({ u, s: f.s, vt: { rows: r, cols: n, data: compact(f.ut, r, f.ldu, n, n) } });
    }
    const lda = padded(m);
    const ws = this.workspace(m, n);
    const f = this.tall(transposeStrided(a.data, m, n, lda, ws.take(n * lda)), m, n, lda, ws);
    const u = transpose({ rows: r, cols: m, data: compact(f.ut, r, f.ldu, m, m) });
    return canonicalizeSigns({ u, s: f.s, vt: { rows: r, cols: n, data: f.vt } });
  }

  private useQr(m: number, n: number): boolean {
    return m >= this.qrRatio * n && n > 1;
  }

  /** One workspace with room for every array decompose and `tall` take (only the total matters). */
  private workspace(m: number, n: number): Workspace {
    const qr = this.useQr(m, n);
    const rot = rotationScratchSize(n);
    const sizes = [n * padded(m), n * padded(qr ? n : m), n * padded(n), qr ? n * padded(m) : 0, this.panel * m, n * this.panel, n * this.panel, rot, rot];
    sizes.push(...bidiagonalScratchSizes(m, n), qr ? n * n : 0);
    return this.arena.workspace(sizes);
  }

  /** Tall core: A (m×n, m ≥ n) given as at = Aᵀ (row stride lda); returns Uᵀ (n×m, row stride ldu), σ, Vᵀ (n×n). */
  private tall(at: Float64Array, m: number, n: number, lda: number, ws: Workspace): { ut: Float64Array; ldu: number; s: Float64Array; vt: Float64Array } {
    const useQr = this.useQr(m, n);
    // U_B and V_B are rotated in padded work arrays (see padded), then copied out compact.
    const w = useQr ? n : m;
    const ldu = padded(w);
    const ub = ws.take(n * ldu);
    const ldv = padded(n);
    const vb = ws.take(n * ldv);
    const ldq = padded(m);
    const ut = useQr ? ws.take(n * ldq) : ub;
    const scratch = blockScratch(ws, this.panel, m, n);
    const rotations = rotationScratch(ws, n);
    const bscratch = bidiagonalScratch(ws, m, n);
    let qr: ReturnType<typeof qrTransposed> | undefined;
    let bd;
    if (useQr) {
      qr = qrTransposed(at, n, m, this.panel, lda, scratch);
      const rt = ws.take(n * n);
      rt.set(qr.rt);
      bd = bidiagonalize(rt, n, n, n, bscratch);
    } else {
      bd = bidiagonalize(at, n, m, lda, bscratch);
    }
    for (let j = 0; j < n; j++) ub[j * ldu + j] = 1;
    for (let j = 0; j < n; j++) vb[j * ldv + j] = 1;
    bidiagonalQr(bd.d, bd.e, n, ub, ldu, vb, ldv, n, rotations);
    // Uᵀ = U_Bᵀ · L_{n−1}…L₀ · H_{n−1}…H₀ and Vᵀ = V_Bᵀ · R_last…R₀: reflectors in reverse order.
    applyReflectorsReverse(ub, ldu, 0, n, bd.left, 0, n, this.panel, scratch);
    if (bd.right.length > 0) applyReflectorsReverse(vb, ldv, 0, n, bd.right, 0, bd.right.length, this.panel, scratch);
    const vt = compact(vb, n, ldv, n, n);
    if (!qr) return { ut: ub, ldu, s: bd.d, vt };
    for (let i = 0; i < n; i++) ut.set(ub.subarray(i * ldu, i * ldu + n), i * ldq);
    applyReflectorsReverse(ut, ldq, 0, n, qr.refls, 0, n, this.panel, scratch);
    return { ut, ldu: ldq, s: bd.d, vt };
  }
}

/** The SIMD kernels' scratch, when the workspace has them. */
function blockScratch(ws: Workspace, panel: number, m: number, n: number): BlockScratch | undefined {
  const yt = ws.take(panel * m);
  const w = ws.take(n * panel);
  const z = ws.take(n * panel);
  return ws.kernels ? { kernels: ws.kernels, yt, w, z } : undefined;
}

/** Sizes of v, w, acc (m each), f (n) and τ for the SIMD bidiagonalisation. */
function bidiagonalScratchSizes(m: number, n: number): number[] {
  return [m, m, m, n, 2];
}

/** v, w, acc, f and τ for the SIMD bidiagonalisation, when the workspace has kernels (taken in bidiagonalScratchSizes' order). */
function bidiagonalScratch(ws: Workspace, m: number, n: number): BidiagonalScratch | undefined {
  const [v, w, acc, f, tau] = bidiagonalScratchSizes(m, n).map((size) => ws.take(size));
  return ws.kernels ? { kernels: ws.kernels, v, w, acc, f, tau } : undefined;
}

/** Doubles per rotation batch of the SIMD bidiagonal QR: ≥ one sweep (2n), at most 2 MB. */
function rotationScratchSize(n: number): number {
  return Math.max(4 * n + 4, Math.min(1 << 18, 2 * n * n));
}

/** Rotation and sweep scratch for the SIMD bidiagonal QR, when the workspace has kernels. */
function rotationScratch(ws: Workspace, n: number): RotationScratch | undefined {
  const size = rotationScratchSize(n);
  const rot = ws.take(size);
  const sweeps = ws.take(size);
  // Each sweep has at least one rotation (two doubles) and needs three int32s.
  return ws.kernels ? { kernels: ws.kernels, rot, sweeps: new Int32Array(sweeps.buffer, sweeps.byteOffset, Math.floor((3 * size) / 2)) } : undefined;
}

/**
 * Row stride for an n-row work array whose rows are w long: a stride that is a multiple of 128
 * bytes (w % 16 = 0, as in 768 or 3072) sends the rows of a narrow column strip into a handful of
 * cache sets, and the bidiagonal QR walks exactly such strips; eight doubles of padding spread them.
 */
function padded(w: number): number {
  return w % 16 === 0 ? w + 8 : w;
}

/**
 * The first w entries of each of `rows` rows of stride ld, as a new array of rows of stride
 * `width` (zero past w). Always a copy: results must not hold on to (or be views of) the workspace.
 */
function compact(a: Float64Array, rows: number, ld: number, w: number, width: number): Float64Array {
  const out = new Float64Array(rows * width);
  if (ld === width && w === width) out.set(a.subarray(0, rows * width));
  else for (let i = 0; i < rows; i++) out.set(a.subarray(i * ld, i * ld + w), i * width);
  return out;
}
