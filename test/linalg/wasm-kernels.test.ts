// Specification of the generated WebAssembly SIMD kernels: they compute what naive loops and the JavaScript kernels compute.
import { describe, expect, it } from "vitest";
import { bidiagonalQr } from "../../agent/linalg/svd/bidiagonal-qr.ts";
import { bidiagonalize } from "../../agent/linalg/svd/bidiagonal.ts";
import { applyBlock, applyReflectorsReverse, buildBlock } from "../../agent/linalg/svd/block-reflector.ts";
import { makeReflector, type Reflector } from "../../agent/linalg/svd/householder.ts";
import { qrTransposed } from "../../agent/linalg/svd/qr.ts";
import { TypeScriptSvd } from "../../agent/linalg/svd/typescript.ts";
import { sleb, uleb } from "../../agent/linalg/svd/wasm-emit.ts";
import { compileKernels, type Kernels } from "../../agent/linalg/svd/wasm-kernels.ts";
import { HeapWorkspace, KernelArena } from "../../agent/linalg/svd/workspace.ts";
import { randomMatrix, rng } from "./helpers.ts";

const compiled = compileKernels();
const why = compiled ? "" : " (skipped: this runtime has no WebAssembly SIMD)";

/** A fresh arena workspace of `doubles` doubles with the kernels (the suite is skipped without them). */
function wasmWorkspace(doubles: number): { take: (n: number) => Float64Array; kernels: Kernels } {
  const ws = new KernelArena(compiled).workspace([doubles]);
  if (!ws.kernels) throw new Error("expected kernels");
  return { take: (n) => ws.take(n), kernels: ws.kernels };
}

function fill(a: Float64Array, seed: number): Float64Array {
  const r = rng(seed);
  for (let i = 0; i < a.length; i++) a[i] = r();
  return a;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function reflectors(count: number, width: number, seed: number): Reflector[] {
  const src = randomMatrix(count, width, seed).data;
  return Array.from({ length: count }, (_, k) => makeReflector(src, k * width + k, width - k, k).refl);
}

describe("wasm assembler", () => {
  it("encodes LEB128 integers as the WebAssembly spec's examples", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe.skipIf(!compiled)(`WebAssembly SIMD kernels${why}`, () => {
  // rows, columns, reflectors: odd, 1-sized and empty dimensions, and sizes past one register block
  const shapes = [
    [0, 5, 3],
    [3, 0, 2],
    [2, 5, 0],
    [1, 1, 1],
    [1, 2, 1],
    [3, 7, 5],
    [4, 16, 2],
    [5, 17, 3],
    [9, 33, 4],
    [13, 300, 7],
  ];

  it("xy adds X·Y to W and zy subtracts Z·Yᵀ from X, as naive triple loops do", () => {
    for (const [rows, cw, nb] of shapes) {
      const ld = cw + 3; // rows of X further apart than cw
      const ys = cw + 1;
      const ws = wasmWorkspace(rows * ld + nb * ys + 2 * rows * nb + 16);
      const x = fill(ws.take(rows * ld), 1);
      const yt = fill(ws.take(nb * ys), 2);
      const w = fill(ws.take(rows * nb), 3);
      const z = fill(ws.take(rows * nb), 4);
      const x0 = Float64Array.from(x);
      const w0 = Float64Array.from(w);
      ws.kernels.xy(x.byteOffset, ld * 8, rows, cw, yt.byteOffset, ys * 8, nb, w.byteOffset);
      const wantW = Float64Array.from(w0);
      for (let i = 0; i < rows; i++) for (let l = 0; l < nb; l++) for (let c = 0; c < cw; c++) wantW[i * nb + l] += x0[i * ld + c] * yt[l * ys + c];
      expect(maxDiff(w, wantW), `xy ${rows}×${cw}×${nb}`).toBeLessThan(1e-13);
      ws.kernels.zy(x.byteOffset, ld * 8, rows, cw, yt.byteOffset, ys * 8, nb, z.byteOffset);
      const wantX = Float64Array.from(x0);
      for (let i = 0; i < rows; i++) for (let c = 0; c < cw; c++) for (let l = 0; l < nb; l++) wantX[i * ld + c] -= z[i * nb + l] * yt[l * ys + c];
      // the padding columns [cw, ld) of each row are untouched exactly
      expect(maxDiff(x, wantX), `zy ${rows}×${cw}×${nb}`).toBeLessThan(1e-13);
      for (let i = 0; i < rows; i++) for (let c = cw; c < ld; c++) expect(x[i * ld + c]).toBe(x0[i * ld + c]);
    }
  });

  it("apply a block reflector to rows as the JavaScript kernel does, to rounding, including rows past a block of four", () => {
    for (const [rows, count, width, r0] of [
      [9, 7, 23, 2],
      [4, 8, 8, 0],
      [13, 5, 300, 1],
      [1, 1, 3, 0],
    ]) {
      const refls = reflectors(count, width, rows + width);
      const ld = width + 2;
      const ws = wasmWorkspace(rows * ld + count * width + 2 * rows * count + 16);
      const x = fill(ws.take(rows * ld), 7);
      const yt = ws.take(count * width);
      const scratch = { kernels: ws.kernels, yt, w: ws.take(rows * count), z: ws.take(rows * count) };
      const js = Float64Array.from(x);
      for (const reverse of [false, true]) {
        applyBlock(js, ld, r0, rows, buildBlock(refls, 0, count, reverse));
        applyBlock(x, ld, r0, rows, buildBlock(refls, 0, count, reverse, yt), scratch);
        expect(maxDiff(x, js), `${rows}×${width}, ${count} reflectors`).toBeLessThan(1e-13);
      }
    }
  });

  it("give the QR and the reverse back-transform the same results as the JavaScript loops, to rounding", () => {
    const [m, n, panel] = [70, 23, 8];
    const ws = wasmWorkspace(n * m + panel * m + 2 * n * panel + 16);
    const at = ws.take(n * m);
    at.set(randomMatrix(n, m, 31).data);
    const js = Float64Array.from(at);
    const scratch = { kernels: ws.kernels, yt: ws.take(panel * m), w: ws.take(n * panel), z: ws.take(n * panel) };
    const a = qrTransposed(at, n, m, panel, m, scratch);
    const b = qrTransposed(js, n, m, panel);
    expect(maxDiff(a.rt, b.rt)).toBeLessThan(1e-13);
    applyReflectorsReverse(at, m, 0, n, a.refls, 0, n, panel, scratch);
    applyReflectorsReverse(js, m, 0, n, b.refls, 0, n, panel);
    expect(maxDiff(at, js)).toBeLessThan(1e-13);
  });

  it("bidiagonalise as the JavaScript loops do, to rounding, for odd and even widths and row counts down to 1", () => {
    for (const [m, n] of [
      [1, 1],
      [2, 1],
      [2, 2],
      [7, 4],
      [8, 5],
      [33, 33],
      [40, 17],
    ]) {
      const ld = m + 1;
      const ws = wasmWorkspace(n * ld + 3 * m + n + 16);
      const at = ws.take(n * ld);
      const src = randomMatrix(n, ld, m * n);
      at.set(src.data);
      const js = Float64Array.from(src.data);
      const scratch = { kernels: ws.kernels, v: ws.take(m), w: ws.take(m), acc: ws.take(m), f: ws.take(n), tau: ws.take(2) };
      const a = bidiagonalize(at, n, m, ld, scratch);
      const b = bidiagonalize(js, n, m, ld);
      const scale = Math.max(...Array.from(b.d, Math.abs));
      expect(maxDiff(a.d, b.d) / scale, `d, ${m}×${n}`).toBeLessThan(1e-13);
      expect(maxDiff(a.e, b.e) / scale, `e, ${m}×${n}`).toBeLessThan(1e-13);
      expect(a.left.length).toBe(b.left.length);
      expect(a.right.length).toBe(b.right.length);
      for (let k = 0; k < a.left.length; k++) expect(maxDiff(a.left[k].v, b.left[k].v), `left reflector ${k}`).toBeLessThan(1e-11);
    }
  });

  it("rotate the bidiagonal QR's vectors bitwise as the JavaScript loops do, for row lengths on and off the 16-column strip", () => {
    for (const n of [1, 2, 16, 37, 48]) {
      const r = rng(n);
      const d = Float64Array.from({ length: n }, r);
      const e = Float64Array.from({ length: n }, (_, i) => (i < n - 1 ? r() : 0));
      d[Math.floor(n / 2)] = 0; // a zero on the diagonal exercises the split (kase 2) as well
      const ld = n + 3;
      const ws = wasmWorkspace(2 * n * ld + 8 * n + 64);
      const [ut, vt] = [ws.take(n * ld), ws.take(n * ld)];
      for (let j = 0; j < n; j++) ut[j * ld + j] = vt[j * ld + j] = 1;
      const rot = ws.take(4 * n + 4);
      const tri = ws.take(4 * n + 4);
      const scratch = { kernels: ws.kernels, rot, sweeps: new Int32Array(tri.buffer, tri.byteOffset, 6 * n + 6) };
      const [ju, jv] = [Float64Array.from(ut), Float64Array.from(vt)];
      const [jd, je] = [Float64Array.from(d), Float64Array.from(e)];
      bidiagonalQr(d, e, n, ut, ld, vt, ld, n, scratch);
      bidiagonalQr(jd, je, n, ju, ld, jv, ld, n);
      expect(Array.from(d), `σ, n = ${n}`).toEqual(Array.from(jd));
      expect(Array.from(ut), `U, n = ${n}`).toEqual(Array.from(ju));
      expect(Array.from(vt), `V, n = ${n}`).toEqual(Array.from(jv));
    }
  });

  it("give the whole SVD the same σ as the JavaScript loops to 1e-13, on tall, wide and QR-first shapes", () => {
    const simd = new TypeScriptSvd();
    const js = new TypeScriptSvd({ kernels: "javascript" });
    expect(simd.simd).toBe(true);
    expect(js.simd).toBe(false);
    for (const [m, n] of [
      [200, 60],
      [60, 200],
      [90, 70],
    ]) {
      const a = randomMatrix(m, n, m + n);
      const s1 = simd.decompose(a).s;
      const s2 = js.decompose(a).s;
      expect(maxDiff(s1, s2) / s2[0]).toBeLessThan(1e-13);
    }
  });

  it("return factors that are not views of the reused kernel memory", () => {
    const svd = new TypeScriptSvd();
    const first = svd.decompose(randomMatrix(40, 30, 1));
    const saved = Float64Array.from(first.u.data);
    svd.decompose(randomMatrix(40, 30, 2));
    expect(Array.from(first.u.data)).toEqual(Array.from(saved));
    expect(first.u.data.byteLength).toBe(first.u.data.buffer.byteLength);
  });
});

describe("SVD workspaces", () => {
  it.skipIf(!compiled)("hand out zeroed views of one memory, reused across calls and replaced when too small", () => {
    const arena = new KernelArena(compiled);
    const a = arena.workspace([10, 7]);
    const x = a.take(10);
    x.fill(3);
    expect(() => a.take(10_000_000)).toThrow(/size list/);
    const b = arena.workspace([10]);
    expect(b.kernels?.buffer).toBe(a.kernels?.buffer);
    expect(Array.from(b.take(10))).toEqual(new Array(10).fill(0));
    const big = arena.workspace([1 << 20]);
    expect(big.kernels?.buffer).not.toBe(a.kernels?.buffer);
  });

  it.skipIf(!compiled)("fall back to plain arrays when the kernels could not address the total (≥ 2 GiB), without allocating it", () => {
    const ws = new KernelArena(compiled).workspace([2 ** 28]);
    expect(ws).toBeInstanceOf(HeapWorkspace);
    expect(ws.kernels).toBeUndefined();
  });

  it("fall back to plain arrays without compiled kernels", () => {
    const ws = new KernelArena(undefined).workspace([5]);
    expect(ws).toBeInstanceOf(HeapWorkspace);
    expect(ws.kernels).toBeUndefined();
    expect(ws.take(5)).toEqual(new Float64Array(5));
  });
});
