// The two GEMM kernels of a compact-WY update (W = X·Y, X −= Z·Yᵀ) as WebAssembly SIMD (f64x2), generated here.
// Why wasm: scalar JavaScript tops out near 4 GFLOP/s, and its typed-array loops slow by ~25 % once any
// ArrayBuffer in the isolate has been detached (V8's ArrayBufferDetaching protector; bench/svd/latest.md).
import { F64, FnBuilder, I32, Op, Simd, V128 } from "./wasm-emit.ts";

/** Rows per register block of both kernels. */
const R = 4;

/**
 * xy(x, ldb, rows, cw, yt, ysb, nb, w): w[i][l] += Σ_{c<cw} x[i][c] · yt[l][c] for i < rows, l < nb.
 * x rows start ldb bytes apart, yt rows ysb bytes apart, w is rows×nb contiguous; all are byte
 * addresses of float64 data. Register block: 4 rows × 2 reflectors, 8 f64x2 accumulators.
 */
export function xyKernel(): FnBuilder {
  const f = new FnBuilder("xy", ["x", "ldb", "rows", "cw", "yt", "ysb", "nb", "w"]);
  for (const n of ["i", "l", "c", "cEnd", "odd", "p"]) f.local(n, I32);
  for (let r = 0; r < R; r++) f.local(`px${r}`, I32);
  for (let q = 0; q < 2; q++) {
    f.local(`py${q}`, I32);
    f.local(`yv${q}`, V128);
    for (let r = 0; r < R; r++) f.local(`a${r}${q}`, V128);
  }
  f.local("xv", V128);
  f.local("s", F64);
  // cEnd = bytes of the even part of a row; odd = cw & 1
  f.get("cw").i32(1).op(Op.i32And).set("odd");
  f.get("cw").get("odd").op(Op.i32Sub).i32(3).op(Op.i32Shl).set("cEnd");

  const block = (rows: number, refls: number): void => {
    for (let q = 0; q < refls; q++) f.get("yt").get("l").i32(q).op(Op.i32Add).get("ysb").op(Op.i32Mul).op(Op.i32Add).set(`py${q}`);
    for (let r = 0; r < rows; r++) for (let q = 0; q < refls; q++) f.v128Zero().set(`a${r}${q}`);
    f.i32(0).set("c");
    f.loop(
      () => f.get("c").get("cEnd").op(Op.i32GeS),
      () => {
        for (let q = 0; q < refls; q++) f.get(`py${q}`).get("c").op(Op.i32Add).v128Load().set(`yv${q}`);
        for (let r = 0; r < rows; r++) {
          f.get(`px${r}`).get("c").op(Op.i32Add).v128Load().set("xv");
          for (let q = 0; q < refls; q++) {
            f.get(`a${r}${q}`).get("xv").get(`yv${q}`).simd(Simd.f64x2Mul).simd(Simd.f64x2Add).set(`a${r}${q}`);
          }
        }
        f.get("c").i32(16).op(Op.i32Add).set("c");
      },
    );
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < refls; q++) {
        f.get(`a${r}${q}`).simd(Simd.f64x2ExtractLane, 0).get(`a${r}${q}`).simd(Simd.f64x2ExtractLane, 1).op(Op.f64Add).set("s");
        f.get("odd").ifThen(() => {
          f.get("s").get(`px${r}`).get("cEnd").op(Op.i32Add).f64Load().get(`py${q}`).get("cEnd").op(Op.i32Add).f64Load().op(Op.f64Mul).op(Op.f64Add).set("s");
        });
        // p = w + ((i + r)·nb + l + q)·8
        f.get("w").get("i").i32(r).op(Op.i32Add).get("nb").op(Op.i32Mul).get("l").op(Op.i32Add).i32(q).op(Op.i32Add).i32(3).op(Op.i32Shl).op(Op.i32Add).tee("p");
        f.get("p").f64Load().get("s").op(Op.f64Add).f64Store();
      }
    }
  };
  const rowsOf = (rows: number): void => {
    for (let r = 0; r < rows; r++) f.get("x").get("i").i32(r).op(Op.i32Add).get("ldb").op(Op.i32Mul).op(Op.i32Add).set(`px${r}`);
    f.i32(0).set("l");
    f.loop(
      () => f.get("l").i32(2).op(Op.i32Add).get("nb").op(Op.i32GtS),
      () => {
        block(rows, 2);
        f.get("l").i32(2).op(Op.i32Add).set("l");
      },
    );
    f.loop(
      () => f.get("l").get("nb").op(Op.i32GeS),
      () => {
        block(rows, 1);
        f.get("l").i32(1).op(Op.i32Add).set("l");
      },
    );
  };
  rowLoop(f, rowsOf);
  return f;
}

/**
 * zy(x, ldb, rows, cw, yt, ysb, nb, z): x[i][c] −= Σ_{l<nb} z[i][l] · yt[l][c] for i < rows, c < cw
 * (same addressing as xy; z is rows×nb contiguous). Register block: 4 rows × 4 columns, the sum
 * over l kept in 8 f64x2 accumulators so each x element is read and written once.
 */
export function zyKernel(): FnBuilder {
  const f = new FnBuilder("zy", ["x", "ldb", "rows", "cw", "yt", "ysb", "nb", "z"]);
  for (const n of ["i", "c", "cEnd", "odd", "py", "pz", "nbb", "p"]) f.local(n, I32);
  for (let r = 0; r < R; r++) {
    f.local(`px${r}`, I32);
    f.local(`pz${r}`, I32);
    f.local(`s${r}`, F64);
    for (let v = 0; v < 2; v++) f.local(`a${r}${v}`, V128);
  }
  f.local("yv0", V128);
  f.local("yv1", V128);
  f.local("zs", V128);
  f.local("y", F64);
  f.get("cw").i32(1).op(Op.i32And).set("odd");
  f.get("cw").get("odd").op(Op.i32Sub).i32(3).op(Op.i32Shl).set("cEnd");
  f.get("nb").i32(3).op(Op.i32Shl).set("nbb");

  /** rows × (2·vecs) columns at byte column c; vecs = 0 means the single odd last column, in scalar code. */
  const block = (rows: number, vecs: number): void => {
    if (vecs > 0) for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) f.v128Zero().set(`a${r}${v}`);
    else for (let r = 0; r < rows; r++) f.f64(0).set(`s${r}`);
    f.get("yt").get("c").op(Op.i32Add).set("py");
    f.i32(0).set("pz");
    f.loop(
      () => f.get("pz").get("nbb").op(Op.i32GeS),
      () => {
        if (vecs > 0) {
          for (let v = 0; v < vecs; v++) f.get("py").v128Load(16 * v).set(`yv${v}`);
          for (let r = 0; r < rows; r++) {
            f.get(`pz${r}`).get("pz").op(Op.i32Add).f64Load().simd(Simd.f64x2Splat).set("zs");
            for (let v = 0; v < vecs; v++) f.get(`a${r}${v}`).get("zs").get(`yv${v}`).simd(Simd.f64x2Mul).simd(Simd.f64x2Add).set(`a${r}${v}`);
          }
        } else {
          f.get("py").f64Load().set("y");
          for (let r = 0; r < rows; r++) f.get(`s${r}`).get(`pz${r}`).get("pz").op(Op.i32Add).f64Load().get("y").op(Op.f64Mul).op(Op.f64Add).set(`s${r}`);
        }
        f.get("py").get("ysb").op(Op.i32Add).set("py");
        f.get("pz").i32(8).op(Op.i32Add).set("pz");
      },
    );
    for (let r = 0; r < rows; r++) {
      f.get(`px${r}`).get("c").op(Op.i32Add).set("p");
      if (vecs > 0) {
        for (let v = 0; v < vecs; v++) f.get("p").get("p").v128Load(16 * v).get(`a${r}${v}`).simd(Simd.f64x2Sub).v128Store(16 * v);
      } else {
        f.get("p").get("p").f64Load().get(`s${r}`).op(Op.f64Sub).f64Store();
      }
    }
  };
  const rowsOf = (rows: number): void => {
    for (let r = 0; r < rows; r++) {
      f.get("x").get("i").i32(r).op(Op.i32Add).get("ldb").op(Op.i32Mul).op(Op.i32Add).set(`px${r}`);
      f.get("z").get("i").i32(r).op(Op.i32Add).get("nbb").op(Op.i32Mul).op(Op.i32Add).set(`pz${r}`);
    }
    f.i32(0).set("c");
    f.loop(
      () => f.get("c").i32(32).op(Op.i32Add).get("cEnd").op(Op.i32GtS),
      () => {
        block(rows, 2);
        f.get("c").i32(32).op(Op.i32Add).set("c");
      },
    );
    f.loop(
      () => f.get("c").get("cEnd").op(Op.i32GeS),
      () => {
        block(rows, 1);
        f.get("c").i32(16).op(Op.i32Add).set("c");
      },
    );
    f.get("odd").ifThen(() => block(rows, 0));
  };
  rowLoop(f, rowsOf);
  return f;
}

/** Rows i = 0, R, 2R, … in blocks of R while R rows remain, then one at a time: the loop every kernel here runs. */
function rowLoop(f: FnBuilder, rowsOf: (count: number) => void): void {
  f.i32(0).set("i");
  f.loop(
    () => f.get("i").i32(R).op(Op.i32Add).get("rows").op(Op.i32GtS),
    () => {
      rowsOf(R);
      f.get("i").i32(R).op(Op.i32Add).set("i");
    },
  );
  f.loop(
    () => f.get("i").get("rows").op(Op.i32GeS),
    () => {
      rowsOf(1);
      f.get("i").i32(1).op(Op.i32Add).set("i");
    },
  );
}
