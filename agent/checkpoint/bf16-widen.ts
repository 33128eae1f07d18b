// bfloat16 → float32 widening in WebAssembly SIMD, for the weights kept in host memory (agent/models/host-matrix.ts).
//
// A bfloat16 is the top half of a float32, so widening is a zero-extend and a 16-bit shift. The projected gradient
// pass widens every matrix twice per micro-batch; with the JavaScript loop (./dtype.ts decodeBF16) that cost almost as
// much as the sgemm itself on TinyLlama-1.1B. bench/scale/widen.ts on random-sign values: this module 0.31 ns per
// value, the loop 1.63 (4.39 before it stored through an Int32Array).
// Here four values are widened per instruction inside a tiny module's own memory, and the float32 result is read
// in place by the BLAS kernels (a view of that memory), so the only other cost is one memcpy of the 16-bit input.

/**
 * The module, assembled by hand (WebAssembly binary format and its SIMD extension), equivalent to:
 *
 *   (module
 *     (memory (export "memory") 1)
 *     (func (export "widen") (param $src i32) (param $dst i32) (param $end i32)   ;; byte addresses; $end = last $src
 *       (loop $next
 *         (v128.store (local.get $dst) (i32x4.shl (v128.load16x4_u (local.get $src)) (i32.const 16)))
 *         (local.set $src (i32.add (local.get $src) (i32.const 8)))
 *         (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
 *         (br_if $next (i32.lt_u (local.get $src) (local.get $end))))))
 *
 * It widens four values per iteration, at least once: callers pass a multiple of four values (padding the input).
 */
const SIMD = 0xfd;
const op = {
  loop: 0x03, end: 0x0b, brIf: 0x0d, localGet: 0x20, localSet: 0x21, i32Const: 0x41, i32LtU: 0x49, i32Add: 0x6a,
  // SIMD opcodes (after the 0xfd prefix, LEB128): v128.load16x4_u, v128.store, i32x4.shl
  load16x4U: [0x04], store: [0x0b], i32x4Shl: [0xab, 0x01],
  voidBlock: 0x40, i32: 0x7f,
} as const;
const [SRC, DST, END] = [0, 1, 2];
/** memarg: alignment exponent then offset. */
const memarg = (align: number) => [align, 0];

const body = [
  0, // no locals besides the parameters
  op.loop, op.voidBlock,
  op.localGet, DST,
  op.localGet, SRC, SIMD, ...op.load16x4U, ...memarg(3),
  op.i32Const, 16, SIMD, ...op.i32x4Shl,
  SIMD, ...op.store, ...memarg(4),
  op.localGet, SRC, op.i32Const, 8, op.i32Add, op.localSet, SRC,
  op.localGet, DST, op.i32Const, 16, op.i32Add, op.localSet, DST,
  op.localGet, SRC, op.localGet, END, op.i32LtU, op.brIf, 0,
  op.end,
  op.end,
];

/** A section: its id, then its length and contents. (Every length here is below 128, one LEB128 byte.) */
const section = (id: number, contents: number[]) => [id, contents.length, ...contents];
const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];

const MODULE_BYTES = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  ...section(1, [1, 0x60, 3, op.i32, op.i32, op.i32, 0]), // types: (i32, i32, i32) → ()
  ...section(3, [1, 0]), // functions: one, of type 0
  ...section(5, [1, 0x00, 1]), // memory: one, at least 1 page, no maximum
  ...section(7, [2, ...name("memory"), 0x02, 0, ...name("widen"), 0x00, 0]), // exports
  ...section(10, [1, body.length, ...body]), // code
]);

const PAGE = 65536;

/** The few WebAssembly APIs used here: the project's TypeScript libs (ES2022, no DOM) do not declare them. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Widens bfloat16 arrays into float32 views of one reused buffer; one instance per thread (it keeps its scratch). */
export class Bf16Widener {
  private readonly memory: WasmMemory;
  private readonly widenIn: (src: number, dst: number, end: number) => void;
  /** Values the memory holds room for: input at 0, output at 2 × capacity bytes. */
  private capacity = 0;

  constructor() {
    const instance = new wasm.Instance(new wasm.Module(MODULE_BYTES));
    this.memory = instance.exports.memory as WasmMemory;
    this.widenIn = instance.exports.widen as (src: number, dst: number, end: number) => void;
  }

  /** `words` as float32, bit-exactly (NaN payloads kept): a view valid until the next call. */
  widen(words: Uint16Array): Float32Array {
    const n = words.length;
    const padded = Math.max(4, Math.ceil(n / 4) * 4);
    this.reserve(padded);
    const input = new Uint16Array(this.memory.buffer, 0, padded);
    input.set(words);
    if (padded > n) input.fill(0, n);
    const out = 2 * this.capacity;
    this.widenIn(0, out, 2 * padded);
    return new Float32Array(this.memory.buffer, out, n);
  }

  /** Room for `values` (input and output), in whole pages; growing keeps the capacity a multiple of 4 values. */
  private reserve(values: number): void {
    if (values <= this.capacity) return;
    const capacity = Math.ceil(values / 4096) * 4096;
    const pages = Math.ceil((6 * capacity) / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) this.memory.grow(pages - have);
    this.capacity = capacity;
  }
}

/** Whether this runtime compiles the module (WebAssembly SIMD: Node ≥ 16); callers fall back to decodeBF16 if not. */
export function simdWideningAvailable(): boolean {
  return wasm.validate(MODULE_BYTES);
}
