// Byte-level mutations of a valid file: flips, truncations, splices, interesting integers at field offsets, BOMs, non-UTF-8.
import type { Rng } from "./rng.ts";

export interface Mutated<T> {
  value: T;
  /** What was done, for the campaign log (reproducible from the seed anyway). */
  what: string;
}

/** Values that break length and offset arithmetic: zero, signs, powers of two around the 32/53/64-bit edges. */
export const INTERESTING_U32 = [0, 1, 2, 3, 4, 7, 8, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff] as const;

export const INTERESTING_U64 = [
  0n, 1n, 2n, 7n, 8n, 0xffn, 0x7fffffffn, 0xffffffffn, 0x100000000n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n,
] as const;

/** Byte sequences that are not UTF-8: lone continuation, overlong, surrogate half, truncated lead, 0xFF. */
export const NOT_UTF8 = [[0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xfe, 0xff], [0xf8, 0x88, 0x80, 0x80, 0x80]] as const;

export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

const concat = (...parts: ArrayLike<number>[]): Uint8Array => new Uint8Array(Buffer.concat(parts.map((p) => Uint8Array.from(p))));

type ByteMutator = (b: Uint8Array, rng: Rng) => Mutated<Uint8Array>;

const flipBits: ByteMutator = (b, rng) => {
  const out = Uint8Array.from(b);
  const n = rng.range(1, 8);
  for (let k = 0; k < n && out.length > 0; k++) out[rng.int(out.length)]! ^= 1 << rng.int(8);
  return { value: out, what: `flip ${n} bits` };
};

const setBytes: ByteMutator = (b, rng) => {
  const out = Uint8Array.from(b);
  const n = rng.range(1, 4);
  for (let k = 0; k < n && out.length > 0; k++) out[rng.int(out.length)] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)]);
  return { value: out, what: `set ${n} bytes` };
};

const truncate: ByteMutator = (b, rng) => {
  const at = rng.chance(0.3) ? rng.int(Math.min(b.length, 16) + 1) : rng.int(b.length + 1);
  return { value: b.slice(0, at), what: `truncate to ${at} of ${b.length} bytes` };
};

const append: ByteMutator = (b, rng) => {
  const extra = rng.pick([rng.bytes(rng.range(1, 16)), new Uint8Array(rng.range(1, 64)), Uint8Array.of(0x0a), Uint8Array.of(0x20, 0x20)]);
  return { value: concat(b, extra), what: `append ${extra.length} bytes` };
};

const insert: ByteMutator = (b, rng) => {
  const at = rng.int(b.length + 1);
  const extra = rng.bytes(rng.range(1, 8));
  return { value: concat(b.subarray(0, at), extra, b.subarray(at)), what: `insert ${extra.length} bytes at ${at}` };
};

const remove: ByteMutator = (b, rng) => {
  const at = rng.int(b.length + 1);
  const n = rng.range(1, 16);
  return { value: concat(b.subarray(0, at), b.subarray(at + n)), what: `delete ${n} bytes at ${at}` };
};

const duplicate: ByteMutator = (b, rng) => {
  const at = rng.int(b.length + 1);
  const n = rng.range(1, 64);
  return { value: concat(b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n)), what: `duplicate ${n} bytes at ${at}` };
};

const notUtf8: ByteMutator = (b, rng) => {
  const at = rng.int(b.length + 1);
  const seq = rng.pick(NOT_UTF8);
  return { value: concat(b.subarray(0, at), seq, b.subarray(at)), what: `insert non-UTF-8 [${seq.join(",")}] at ${at}` };
};

const bom: ByteMutator = (b) => ({ value: concat(UTF8_BOM, b), what: "prefix a UTF-8 BOM" });

const interestingU32: ByteMutator = (b, rng) => {
  const out = Uint8Array.from(b);
  if (out.length < 4) return { value: out, what: "u32 (too short)" };
  const at = rng.chance(0.6) ? 4 * rng.int(Math.min(out.length >> 2, 64)) : rng.int(out.length - 3);
  const v = rng.pick(INTERESTING_U32);
  new DataView(out.buffer).setUint32(at, v, true);
  return { value: out, what: `u32 ${v} at ${at}` };
};

/** Every byte mutator, weighted towards the structural ones. */
const BYTE_MUTATORS: readonly (readonly [number, ByteMutator])[] = [
  [3, flipBits], [2, setBytes], [3, truncate], [2, append], [1, insert], [2, remove], [1, duplicate], [1, notUtf8], [1, bom], [2, interestingU32],
];

/** One to three random byte mutations of `bytes`. */
export function mutateBytes(bytes: Uint8Array, rng: Rng): Mutated<Uint8Array> {
  let value = bytes;
  const done: string[] = [];
  const rounds = rng.weighted([[6, 1], [3, 2], [1, 3]] as const);
  for (let r = 0; r < rounds; r++) {
    const m = rng.weighted(BYTE_MUTATORS)(value, rng);
    value = m.value;
    done.push(m.what);
  }
  return { value, what: done.join("; ") };
}

/** Text mutations on a serialised document (JSON, JSONL, CSV, TSV): byte damage plus line-level edits. */
export function mutateText(text: string, rng: Rng): Mutated<Uint8Array> {
  const lines = text.split("\n");
  const choice = rng.int(6);
  if (choice === 0 && lines.length > 1) {
    const i = rng.int(lines.length);
    const copy = [...lines];
    copy.splice(i, 1);
    return { value: new TextEncoder().encode(copy.join("\n")), what: `delete line ${i + 1}` };
  }
  if (choice === 1 && lines.length > 1) {
    const i = rng.int(lines.length);
    const copy = [...lines];
    copy.splice(i, 0, lines[rng.int(lines.length)]!);
    return { value: new TextEncoder().encode(copy.join("\n")), what: `duplicate a line at ${i + 1}` };
  }
  if (choice === 2) {
    const sep = rng.pick(["\r\n", "\r", "\u2028", "\0", "\t", ","]);
    return { value: new TextEncoder().encode(lines.join(sep)), what: `line separator ${JSON.stringify(sep)}` };
  }
  return mutateBytes(new TextEncoder().encode(text), rng);
}
