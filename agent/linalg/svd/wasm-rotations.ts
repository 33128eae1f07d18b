// The bidiagonal QR's recorded rotation sweeps applied as WebAssembly SIMD (f64x2), generated here.
import { FnBuilder, I32, Op, Simd, V128 } from "./wasm-emit.ts";

/** f64x2 vectors per column strip: 16 columns, carried in 8 registers down the rows. */
const V = 8;
/** Columns per strip (the JavaScript loops take the columns past the last whole strip). */
export const rotStrip = 2 * V;

/**
 * rot(a, ldb, colBytes, sweeps, count, rot): for each strip of 16 columns in [0, colBytes/8), and
 * each of `count` sweeps (int32 triples k, p, at at `sweeps`), applies the rotations
 * (c, s) = rot[at + 2j], rot[at + 2j + 1] to rows (k + j, k + j + 1), j = 0 … p − k − 2, in order:
 * (x, y) ← (c·x + s·y, c·y − s·x), exactly as bidiagonal-qr.ts's rotationChain does element by
 * element (the same operations in the same order, so the results are bitwise the same).
 */
export function rotKernel(): FnBuilder {
  const f = new FnBuilder("rot", ["a", "ldb", "colBytes", "sweeps", "count", "rot"]);
  for (const n of ["col", "sp", "spEnd", "k", "o", "on", "r", "end"]) f.local(n, I32);
  for (let v = 0; v < V; v++) f.local(`x${v}`, V128);
  for (const n of ["y", "cs", "sn"]) f.local(n, V128);
  f.get("sweeps").get("count").i32(12).op(Op.i32Mul).op(Op.i32Add).set("spEnd");
  f.i32(0).set("col");
  f.loop(
    () => f.get("col").get("colBytes").op(Op.i32GeS),
    () => {
      f.get("sweeps").set("sp");
      f.loop(
        () => f.get("sp").get("spEnd").op(Op.i32GeS),
        () => {
          f.get("sp").i32Load(0).set("k");
          f.get("a").get("k").get("ldb").op(Op.i32Mul).op(Op.i32Add).get("col").op(Op.i32Add).set("o");
          for (let v = 0; v < V; v++) f.get("o").v128Load(16 * v).set(`x${v}`);
          // r = rot + at·8; end = r + (p − 1 − k)·16
          f.get("rot").get("sp").i32Load(8).i32(3).op(Op.i32Shl).op(Op.i32Add).tee("r");
          f.get("sp").i32Load(4).i32(1).op(Op.i32Sub).get("k").op(Op.i32Sub).i32(4).op(Op.i32Shl).op(Op.i32Add).set("end");
          f.loop(
            () => f.get("r").get("end").op(Op.i32GeS),
            () => {
              f.get("r").f64Load(0).simd(Simd.f64x2Splat).set("cs");
              f.get("r").f64Load(8).simd(Simd.f64x2Splat).set("sn");
              f.get("o").get("ldb").op(Op.i32Add).set("on");
              for (let v = 0; v < V; v++) {
                f.get("on").v128Load(16 * v).set("y");
                f.get("o");
                f.get("cs").get(`x${v}`).simd(Simd.f64x2Mul).get("sn").get("y").simd(Simd.f64x2Mul).simd(Simd.f64x2Add);
                f.v128Store(16 * v);
                f.get("cs").get("y").simd(Simd.f64x2Mul).get("sn").get(`x${v}`).simd(Simd.f64x2Mul).simd(Simd.f64x2Sub).set(`x${v}`);
              }
              f.get("on").set("o");
              f.get("r").i32(16).op(Op.i32Add).set("r");
            },
          );
          for (let v = 0; v < V; v++) f.get("o").get(`x${v}`).v128Store(16 * v);
          f.get("sp").i32(12).op(Op.i32Add).set("sp");
        },
      );
      f.get("col").i32(16 * V).op(Op.i32Add).set("col");
    },
  );
  return f;
}
