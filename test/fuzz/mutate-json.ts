// Structured mutations of a valid JSON document: delete fields, swap types, huge/negative/fractional numbers, deep nesting, prototype keys.
import type { Mutated } from "./mutate-bytes.ts";
import type { Rng } from "./rng.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Numbers that break range and integer checks (JSON has no NaN or infinity; 1e400 parses as Infinity). */
export const INTERESTING_NUMBERS = [0, -0, -1, 1, 2, 0.5, -0.5, 1.5, 255, 256, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324, 1e-7] as const;

/** Strings that probe prototypes, paths, templates, encodings and lengths. */
export const INTERESTING_STRINGS = [
  "", " ", "\t", "\n", "\u0000", "__proto__", "constructor", "toString", "hasOwnProperty", "prototype", "../../../../etc/passwd", "/etc/passwd",
  "/", ".", "..", "C:\\Windows", "hf:", "hf:../x", "jsonl:", "constructor:x", "{}", "{", "}", "{{", "{nope}", "$&$'$`", "%s%n",
  "\ud800", "\udfff", "\ufeff", "\u2028", "▁", "é", "😀", "NaN", "Infinity", "-1", "1e999", "true", "null", "[]", "A".repeat(10_000),
] as const;

/** Paths to the values of `doc` (keys/indices; the root is []), breadth-first, at most `limit`, never below depth 32. */
function paths(doc: Json, limit = 5000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: [Json, (string | number)[]][] = [[doc, []]];
  for (let q = 0; q < queue.length && out.length < limit; q++) {
    const [v, prefix] = queue[q]!;
    out.push(prefix);
    if (prefix.length >= 32) continue;
    if (Array.isArray(v)) v.slice(0, 200).forEach((x, i) => queue.push([x, [...prefix, i]]));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v).slice(0, 200)) queue.push([x, [...prefix, k]]);
  }
  return out;
}

function clone(doc: Json): Json {
  return JSON.parse(serialiseDeep(doc)) as Json;
}

function get(doc: Json, path: (string | number)[]): Json {
  let at: Json = doc;
  for (const k of path) at = (at as Record<string | number, Json>)[k]!;
  return at;
}

/** Set the value at `path` (the root cannot be replaced in place: the caller gets the new root). */
function set(doc: Json, path: (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1)) as Record<string | number, Json>;
  Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return doc;
}

function removeAt(doc: Json, path: (string | number)[]): Json {
  if (path.length === 0) return doc;
  const parent = get(doc, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, Json>)[key as string];
  return doc;
}

/** Nested `depth` levels of arrays or objects around `inner`. */
export function deep(depth: number, inner: Json, kind: "array" | "object"): Json {
  let v = inner;
  for (let i = 0; i < depth; i++) v = kind === "array" ? [v] : { a: v };
  return v;
}

/** A value of another JSON type than `like`, or a hostile one of the same type. */
export function hostileValue(rng: Rng, like?: Json): Json {
  return rng.weighted<() => Json>([
    [3, () => rng.pick(INTERESTING_NUMBERS)],
    [3, () => rng.pick(INTERESTING_STRINGS)],
    [1, () => null],
    [1, () => rng.chance(0.5)],
    [1, () => []],
    [1, () => ({})],
    [1, () => [like ?? null]],
    [1, () => ({ value: like ?? null })],
    [1, () => (typeof like === "string" ? like + rng.pick(INTERESTING_STRINGS) : typeof like === "number" ? -like : describe(like ?? null))],
    [1, () => Array.from({ length: rng.pick([1000, 100_000]) }, () => (typeof like === "number" ? like : 0))],
    [1, () => deep(rng.pick([100, 10_000, 100_000]), like ?? null, rng.chance(0.5) ? "array" : "object")],
  ])();
}

/**
 * One to three structural mutations of a parsed document: a value replaced by a hostile one, a field
 * deleted or added (prototype names included), an array element duplicated or emptied.
 */
export function mutateJson(original: Json, rng: Rng): Mutated<Json> {
  let doc = clone(original);
  const done: string[] = [];
  const rounds = rng.weighted([[6, 1], [3, 2], [1, 3]] as const);
  for (let r = 0; r < rounds; r++) {
    const all = paths(doc);
    const path = rng.chance(0.85) && all.length > 1 ? all[1 + rng.int(all.length - 1)]! : rng.pick(all);
    const at = get(doc, path);
    const where = path.length ? path.join(".") : "(root)";
    const op = rng.int(6);
    if (op <= 1) {
      const v = hostileValue(rng, at);
      doc = set(doc, path, v);
      done.push(`${where} := ${describe(v)}`);
    } else if (op === 2 && path.length > 0) {
      doc = removeAt(doc, path);
      done.push(`delete ${where}`);
    } else if (op === 3 && at !== null && typeof at === "object" && !Array.isArray(at)) {
      const key = rng.pick(["__proto__", "constructor", "toString", "extra", ...Object.keys(at), ""]);
      const v = hostileValue(rng);
      Object.defineProperty(at, key, { value: v, enumerable: true, writable: true, configurable: true });
      done.push(`${where}[${JSON.stringify(key)}] := ${describe(v)}`);
    } else if (op === 4 && Array.isArray(at)) {
      if (at.length > 0 && rng.chance(0.6)) {
        const item = at[rng.int(at.length)]!;
        // keep documents within a few MB: many copies only of small elements
        const n = serialiseDeep(item).length > 1000 ? 1 : rng.pick([1, 2, 1000]);
        for (let k = 0; k < n; k++) at.push(clone(item));
        done.push(`${where}: ${n} more copies of an element`);
      } else {
        at.length = 0;
        done.push(`${where} := []`);
      }
    } else {
      const v = hostileValue(rng, at);
      doc = set(doc, path, v);
      done.push(`${where} := ${describe(v)}`);
    }
  }
  return { value: doc, what: done.join("; ") };
}

export function describe(v: Json): string {
  let depth = 0;
  let x: Json = v;
  while (x !== null && typeof x === "object" && depth < 1_000_000) {
    const inner: Json | undefined = Array.isArray(x) ? x[0] : (x as Record<string, Json>).a;
    if (inner === undefined || (Array.isArray(x) ? x.length !== 1 : Object.keys(x).length !== 1)) break;
    x = inner;
    depth++;
  }
  if (depth >= 50) return `${depth}-deep nesting`;
  if (Array.isArray(v) && v.length >= 1000) return `array of ${v.length}`;
  const text = serialiseDeep(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** Serialise with a random twist: pretty, compact, or with a BOM (the text layer's own damage is mutateText's job). */
export function serialise(doc: Json, rng: Rng): string {
  try {
    return rng.pick([JSON.stringify(doc), JSON.stringify(doc, null, 2)]);
  } catch {
    return serialiseDeep(doc);
  }
}

/** A piece of punctuation on serialiseDeep's stack (never confused with a document value). */
class Punctuation {
  constructor(readonly text: string) {}
}

/** JSON.stringify recurses and overflows on 100k-deep documents; this does not. */
export function serialiseDeep(doc: Json): string {
  const out: string[] = [];
  const stack: (Json | Punctuation)[] = [doc];
  while (stack.length) {
    const v = stack.pop()!;
    if (v instanceof Punctuation) {
      out.push(v.text);
    } else if (Array.isArray(v)) {
      out.push("[");
      stack.push(new Punctuation("]"));
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(v[i]!);
        if (i > 0) stack.push(new Punctuation(","));
      }
    } else if (v !== null && typeof v === "object") {
      out.push("{");
      stack.push(new Punctuation("}"));
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push(entries[i]![1]);
        stack.push(new Punctuation(`${JSON.stringify(entries[i]![0])}:`));
        if (i > 0) stack.push(new Punctuation(","));
      }
    } else {
      out.push(JSON.stringify(v));
    }
  }
  return out.join("");
}
