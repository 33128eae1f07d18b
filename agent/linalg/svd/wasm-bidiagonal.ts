// The trailing-row pass of each Householder bidiagonalisation step as WebAssembly SIMD (f64x2), generated here.
import { FnBuilder, I32, F64, Op, Simd, V128 } from "./wasm-emit.ts";

/**
 * bidiag(o, ldb, rows, width, v, f, w, acc, tau): the loop body of bidiagonal.ts's step k over
 * rows j = k+1 … (row r at byte address o + r·ldb, `width` doubles from column k), two rows at a time:
 *   x ← x − f[r]·w (the previous right reflector's deferred rank-one update; f[r] = 0 when none),
 *   d = τ (x·v), x[0] −= d v[0], x[c] −= d v[c] for c ≥ 1 and acc[c−1] += g·x[c] with g = x[0]
 *   (g = 0 for the first row). τ is the float64 at byte address tau. Elementwise updates are
 *   the JavaScript loops' operations in the same order; the dot products are summed pairwise.
 */
export function bidiagKernel(): FnBuilder {
  const f = new FnBuilder("bidiag", ["o", "ldb", "rows", "width", "v", "fs", "w", "acc", "tau"]);
  for (const n of ["j", "c", "cEnd", "odd", "end2", "p0", "p1", "pa"]) f.local(n, I32);
  for (const n of ["d0", "d1", "g0", "g1", "t", "x0", "x1"]) f.local(n, F64);
  for (const n of ["dv0", "dv1", "fv0", "fv1", "wv", "vv", "xv0", "xv1", "gv0", "gv1", "ds0", "ds1"]) f.local(n, V128);
  f.get("width").i32(1).op(Op.i32And).set("odd");
  f.get("width").get("odd").op(Op.i32Sub).i32(3).op(Op.i32Shl).set("cEnd");
  // pass 2 runs over elements 1 … width−1: whole pairs end at byte end2
  f.get("width").i32(1).op(Op.i32Sub).i32(1).op(Op.i32And).i32(1).op(Op.i32Add).set("end2"); // 1 + ((width − 1) & 1)
  f.get("width").get("end2").op(Op.i32Sub).i32(3).op(Op.i32Shl).i32(8).op(Op.i32Add).set("end2");

  const block = (nr: number): void => {
    const rs = Array.from({ length: nr }, (_, r) => r);
    for (const r of rs) {
      f.get("o").get("j").i32(r).op(Op.i32Add).get("ldb").op(Op.i32Mul).op(Op.i32Add).set(`p${r}`);
      f.get("fs").get("j").i32(r).op(Op.i32Add).i32(3).op(Op.i32Shl).op(Op.i32Add).f64Load().simd(Simd.f64x2Splat).set(`fv${r}`);
      f.v128Zero().set(`dv${r}`);
    }
    // pass 1: x ← x − f·w, d += x·v
    f.i32(0).set("c");
    f.loop(
      () => f.get("c").get("cEnd").op(Op.i32GeS),
      () => {
        f.get("w").get("c").op(Op.i32Add).v128Load().set("wv");
        f.get("v").get("c").op(Op.i32Add).v128Load().set("vv");
        for (const r of rs) {
          f.get(`p${r}`).get("c").op(Op.i32Add).v128Load().get(`fv${r}`).get("wv").simd(Simd.f64x2Mul).simd(Simd.f64x2Sub).set(`xv${r}`);
          f.get(`p${r}`).get("c").op(Op.i32Add).get(`xv${r}`).v128Store();
          f.get(`dv${r}`).get(`xv${r}`).get("vv").simd(Simd.f64x2Mul).simd(Simd.f64x2Add).set(`dv${r}`);
        }
        f.get("c").i32(16).op(Op.i32Add).set("c");
      },
    );
    for (const r of rs) f.get(`dv${r}`).simd(Simd.f64x2ExtractLane, 0).get(`dv${r}`).simd(Simd.f64x2ExtractLane, 1).op(Op.f64Add).set(`d${r}`);
    f.get("odd").ifThen(() => {
      for (const r of rs) {
        f.get(`p${r}`).get("cEnd").op(Op.i32Add).f64Load().get(`fv${r}`).simd(Simd.f64x2ExtractLane, 0).get("w").get("cEnd").op(Op.i32Add).f64Load().op(Op.f64Mul).op(Op.f64Sub).set("t");
        f.get(`p${r}`).get("cEnd").op(Op.i32Add).get("t").f64Store();
        f.get(`d${r}`).get("t").get("v").get("cEnd").op(Op.i32Add).f64Load().op(Op.f64Mul).op(Op.f64Add).set(`d${r}`);
      }
    });
    // d ← τ d; x[0] −= d v[0]; g = x[0] (0 on the first row)
    for (const r of rs) {
      f.get(`d${r}`).get("tau").f64Load().op(Op.f64Mul).set(`d${r}`);
      f.get(`p${r}`).get(`p${r}`).f64Load().get(`d${r}`).get("v").f64Load().op(Op.f64Mul).op(Op.f64Sub).f64Store();
      f.f64(0).get(`p${r}`).f64Load().get("j").i32(r).op(Op.i32Add).op(Op.i32Eqz).select().set(`g${r}`);
      f.get(`g${r}`).simd(Simd.f64x2Splat).set(`gv${r}`);
      f.get(`d${r}`).simd(Simd.f64x2Splat).set(`ds${r}`);
    }
    // pass 2 from element 1: x ← x − d·v, acc[c−1] += g0·x0 (+ g1·x1), in that order of operations
    const accUpdate = (simd: boolean): void => {
      const [x, g, mul, add] = simd ? ["xv", "gv", () => f.simd(Simd.f64x2Mul), () => f.simd(Simd.f64x2Add)] as const : ["x", "g", () => f.op(Op.f64Mul), () => f.op(Op.f64Add)] as const;
      f.get("acc").get("c").op(Op.i32Add).i32(8).op(Op.i32Sub).set("pa");
      f.get("pa").get("pa");
      if (simd) f.v128Load();
      else f.f64Load();
      f.get(`${g}0`).get(`${x}0`);
      mul();
      if (nr === 2) {
        f.get(`${g}1`).get(`${x}1`);
        mul();
        add();
      }
      add();
      if (simd) f.v128Store();
      else f.f64Store();
    };
    f.i32(8).set("c");
    f.loop(
      () => f.get("c").get("end2").op(Op.i32GeS),
      () => {
        f.get("v").get("c").op(Op.i32Add).v128Load().set("vv");
        for (const r of rs) {
          f.get(`p${r}`).get("c").op(Op.i32Add).v128Load().get(`ds${r}`).get("vv").simd(Simd.f64x2Mul).simd(Simd.f64x2Sub).set(`xv${r}`);
          f.get(`p${r}`).get("c").op(Op.i32Add).get(`xv${r}`).v128Store();
        }
        accUpdate(true);
        f.get("c").i32(16).op(Op.i32Add).set("c");
      },
    );
    // at most one element left (when width − 1 is odd)
    f.get("c").get("width").i32(3).op(Op.i32Shl).op(Op.i32LtS).ifThen(() => {
      for (const r of rs) {
        f.get(`p${r}`).get("c").op(Op.i32Add).f64Load().get(`d${r}`).get("v").get("c").op(Op.i32Add).f64Load().op(Op.f64Mul).op(Op.f64Sub).set(`x${r}`);
        f.get(`p${r}`).get("c").op(Op.i32Add).get(`x${r}`).f64Store();
      }
      accUpdate(false);
    });
  };
  f.i32(0).set("j");
  f.loop(
    () => f.get("j").i32(2).op(Op.i32Add).get("rows").op(Op.i32GtS),
    () => {
      block(2);
      f.get("j").i32(2).op(Op.i32Add).set("j");
    },
  );
  f.loop(
    () => f.get("j").get("rows").op(Op.i32GeS),
    () => {
      block(1);
      f.get("j").i32(1).op(Op.i32Add).set("j");
    },
  );
  return f;
}
