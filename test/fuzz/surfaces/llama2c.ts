// llama2.c surfaces: model exports (legacy and "ak42" v1) and tokenizer.bin, through `c2i convert llama2c`'s converter and discovery.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { convertLlama2c } from "../../../agent/checkpoint/llama2c/convert.ts";
import { classifyLlama2cFile } from "../../../agent/checkpoint/llama2c/discover.ts";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { writeTinyModel, type TinyModel } from "../fixtures.ts";
import { INTERESTING_U32, mutateBytes, type Mutated } from "../mutate-bytes.ts";
import type { Rng } from "../rng.ts";
import type { FuzzInput, Surface } from "../surface.ts";

const OUT = "out";

/** A header field set to an interesting int32 (the 7 legacy ints, or v1's magic, version, 7 ints and shared flag). */
function mutateHeader(bytes: Uint8Array, rng: Rng, v1: boolean): Mutated<Uint8Array> {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  const fields = v1 ? 10 : 7;
  const n = rng.range(1, 2);
  const done: string[] = [];
  for (let k = 0; k < n; k++) {
    const field = rng.int(fields);
    const old = view.getInt32(field * 4, true);
    const value = rng.weighted<() => number>([
      [3, () => rng.pick(INTERESTING_U32) | 0],
      [2, () => old + rng.pick([-2, -1, 1, 2])],
      [1, () => old * 2],
      [1, () => -old],
    ])();
    view.setInt32(field * 4, value, true);
    done.push(`int32 field ${field} ${old} → ${value}`);
  }
  if (v1 && rng.chance(0.2)) {
    out[36] = rng.pick([0, 1, 2, 255]);
    done.push(`shared flag := ${out[36]}`);
  }
  return { value: out, what: done.join("; ") };
}

/** A tokenizer.bin record damaged: a length, a score (NaN, inf), max_token_length, or bytes. */
function mutateTokenizer(bytes: Uint8Array, rng: Rng): Mutated<Uint8Array> {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  return rng.weighted<() => Mutated<Uint8Array>>([
    [2, () => {
      const v = rng.pick(INTERESTING_U32) | 0;
      view.setInt32(0, v, true);
      return { value: out, what: `max_token_length := ${v}` };
    }],
    [3, () => {
      // walk to a random record and damage its length or score
      let at = 4;
      const target = rng.int(300);
      for (let i = 0; i < target && at + 8 <= out.length; i++) at += 8 + view.getInt32(at + 4, true);
      if (at + 8 > out.length) return { value: out.subarray(0, at), what: `cut at record boundary ${at}` };
      if (rng.chance(0.5)) {
        const v = rng.weighted<() => number>([[2, () => rng.pick(INTERESTING_U32) | 0], [2, () => view.getInt32(at + 4, true) + rng.pick([-1, 1, 64])]])();
        view.setInt32(at + 4, v, true);
        return { value: out, what: `record at ${at}: length := ${v}` };
      }
      const v = rng.pick([Number.NaN, Infinity, -Infinity, 3.4e38, -0]);
      view.setFloat32(at, v, true);
      return { value: out, what: `record at ${at}: score := ${v}` };
    }],
    [4, () => mutateBytes(bytes, rng)],
  ])();
}

interface Llama2cSetup {
  model: TinyModel;
}

async function setup(scratch: string): Promise<Llama2cSetup> {
  return { model: writeTinyModel(scratch) };
}

/** Convert (nothing may be written on refusal), then classify the same file as discovery does. */
async function convertAndClassify(dir: string): Promise<string[]> {
  const out = join(dir, OUT);
  try {
    convertLlama2c({ checkpoint: join(dir, "model.bin"), tokenizer: join(dir, "tokenizer.bin"), out });
  } catch (e) {
    if (existsSync(out)) throw new C2iError(ErrorCode.INTERNAL, `convert refused the input (${(e as Error).message}) but created ${out}`);
    throw e;
  }
  classifyLlama2cFile(join(dir, "model.bin"));
  classifyLlama2cFile(join(dir, "tokenizer.bin"));
  return [`${OUT}/`];
}

/** A llama2.c surface: the tiny model's exports as seed, convert + discovery as entry point; only the damage differs. */
function llama2cSurface(name: string, title: string, generate: (rng: Rng, model: TinyModel) => FuzzInput): Surface<Llama2cSetup> {
  return {
    name,
    title: `${title} → convert llama2c, discovery`,
    codes: [ErrorCode.CHECKPOINT_CORRUPT],
    setup,
    generate: (rng, s) => generate(rng, s.model),
    feed: (_input, _s, { dir }) => convertAndClassify(dir),
  };
}

export const llama2cModelSurface = llama2cSurface("llama2c-model", "llama2.c model export, legacy and v1 (header ints, flags, bytes)", (rng, model) => {
  const v1 = rng.chance(0.5);
  const base = v1 ? model.v1 : model.legacy;
  const m = rng.chance(0.5) ? mutateHeader(base, rng, v1) : mutateBytes(base, rng);
  return { files: { "model.bin": m.value, "tokenizer.bin": model.tokenizerBin }, what: `${v1 ? "v1" : "legacy"}: ${m.what}` };
});

export const llama2cTokenizerSurface = llama2cSurface("llama2c-tokenizer", "llama2.c tokenizer.bin (max length, record lengths, scores, bytes)", (rng, model) => {
  const m = mutateTokenizer(model.tokenizerBin, rng);
  return { files: { "model.bin": rng.chance(0.5) ? model.legacy : model.v1, "tokenizer.bin": m.value }, what: m.what };
});
