// rope_scaling: Llama 3's adjusted frequencies, a scaled llama against the float64 reference, and malformed settings refused.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { llama } from "../../agent/models/arch/llama.ts";
import { ropeTables, RopeStyle } from "../../agent/models/blocks/rope.ts";
import { inverseFrequencies, type RopeScaling } from "../../agent/models/blocks/rope_scaling.ts";
import type { TokenBatch } from "../../agent/models/types.ts";
import { mulberry32 } from "../../common/random.ts";
import { TEST_BACKENDS, useBackend } from "./backends.ts";
import { tinyModels, useTinyModel, type TinyModel } from "./fixtures.ts";
import { llamaRef } from "./reference/forward.ts";
import { llama3InvFreq, type RefWeights } from "./reference/ops.ts";

/** meta-llama/Llama-3.2-1B's config.json: head_dim 64, rope_theta 500000 and this rope_scaling. */
const LLAMA32_SCALING = { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: "llama3" };
const LLAMA32: RopeScaling = { kind: "llama3", factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 };

describe("Llama 3 rope scaling of the inverse frequencies", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });
  const plain = Array.from({ length: 32 }, (_, i) => Math.pow(500000, -(2 * i) / 64));
  const expected = llama3InvFreq(plain, LLAMA32_SCALING);
  const got = inverseFrequencies(64, 500000, LLAMA32);

  it("matches Hugging Face's formula for Llama-3.2-1B (head_dim 64, rope_theta 500000) in all three regimes", () => {
    // wavelength 2π/f against 8192 / low_freq_factor and 8192 / high_freq_factor
    const wavelength = plain.map((f) => (2 * Math.PI) / f);
    const long = wavelength.flatMap((w, i) => (w > 8192 ? [i] : []));
    const short = wavelength.flatMap((w, i) => (w < 2048 ? [i] : []));
    const between = wavelength.flatMap((w, i) => (w >= 2048 && w <= 8192 ? [i] : []));
    expect([short.length, between.length, long.length]).toEqual([15, 3, 14]);
    expect(got.length).toBe(32);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.abs(b);
    got.forEach((f, i) => expect(close(f, expected[i]!)).toBe(true));
    for (const i of short) expect(close(got[i]!, plain[i]!)).toBe(true);
    for (const i of long) expect(close(got[i]! * 32, plain[i]!)).toBe(true);
    // the blended band lies strictly between divided and kept, and moves towards kept as the wavelength shortens
    for (const i of between) expect(got[i]! > plain[i]! / 32 && got[i]! < plain[i]!).toBe(true);
    const blend = between.map((i) => (got[i]! - plain[i]! / 32) / (plain[i]! - plain[i]! / 32));
    expect(blend).toEqual([...blend].sort((a, b) => b - a));
  });

  it("leaves the frequencies alone without scaling and for linear scaling, which divides positions instead", () => {
    const unscaled = Array.from(inverseFrequencies(64, 500000));
    expect(unscaled).toEqual(plain.map((_, i) => 1 / Math.pow(500000, (2 * i) / 64)));
    expect(Array.from(inverseFrequencies(64, 500000, { kind: "linear", factor: 4 }))).toEqual(unscaled);
  });

  it("builds linear scaling's tables exactly as the position divisor did: cos/sin of (p / factor) · base^(−2i/d) in float32", () => {
    const positions = Int32Array.from([0, 3, 17, 1000]);
    const tables = ropeTables(positions, 1, 4, 8, 10000, RopeStyle.rotateHalf, { kind: "linear", factor: 4 });
    const [cos, sin] = [tables.cos.dataSync(), tables.sin.dataSync()];
    tf.dispose([tables.cos, tables.sin, tables.rotate]);
    positions.forEach((p, t) => {
      for (let f = 0; f < 8; f++) {
        const angle = (p / 4) * (1 / Math.pow(10000, (2 * (f % 4)) / 8));
        expect([cos[t * 8 + f], sin[t * 8 + f]]).toEqual([Math.fround(Math.cos(angle)), Math.fround(Math.sin(angle))]);
      }
    });
  });

  it("does not scale positions: llama3 tables hold cos/sin of p · adjusted frequency", () => {
    const positions = Int32Array.from([0, 1, 5000, 100000]);
    const tables = ropeTables(positions, 1, 4, 64, 500000, RopeStyle.rotateHalf, LLAMA32);
    const cos = tables.cos.dataSync();
    tf.dispose([tables.cos, tables.sin, tables.rotate]);
    positions.forEach((p, t) => {
      for (let f = 0; f < 64; f++) expect(Math.abs(cos[t * 64 + f]! - Math.cos(p * expected[f % 32]!))).toBeLessThan(1e-6);
    });
  });
});

/** The untied tiny llama with 2 heads of 8 features (4 rotary frequencies: wavelengths 6.3, 30, 140 and 660) and `rope_scaling`. */
function scaledLlama(ropeScaling: Record<string, unknown> | null): TinyModel {
  const base = tinyModels().find((m) => m.name === "llama (untied)")!;
  const config = { ...base.config, num_attention_heads: 2, num_key_value_heads: 2, rope_scaling: ropeScaling };
  return { ...base, name: `llama, rope_scaling ${JSON.stringify(ropeScaling)}`, config };
}

/** One row of 40 tokens, so positions reach 39. */
function longBatch(): TokenBatch {
  const uniform = mulberry32(7);
  return { ids: Int32Array.from({ length: 40 }, () => Math.floor(uniform() * 29)), mask: new Int32Array(40).fill(1), batch: 1, length: 40 };
}

/** max |a − b| / max |b| over all logits. */
function relativeError(a: number[][], b: Float64Array[]): number {
  let scale = 0;
  let err = 0;
  b.forEach((row, p) =>
    row.forEach((v, j) => {
      scale = Math.max(scale, Math.abs(v));
      err = Math.max(err, Math.abs(v - a[p]![j]!));
    }),
  );
  return err / scale;
}

// Cut-offs at wavelengths 64 / 1 and 64 / 8: the four frequencies are kept, blended, divided and divided.
const TINY_LLAMA3 = { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 8, original_max_position_embeddings: 64 };

describe.each(TEST_BACKENDS)("a llama with rope_scaling on the %s backend", (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });
  const batch = longBatch();
  const all = Int32Array.from({ length: 40 }, (_, i) => i);

  describe.each([
    ["llama3", TINY_LLAMA3],
    ["linear", { type: "linear", factor: 4 }],
  ] as const)("%s", (_kind, ropeScaling) => {
    const tiny = scaledLlama(ropeScaling);
    const loaded = useTinyModel(tiny);
    const weights: RefWeights = new Map([...tiny.weights].map(([n, t]) => [n, { shape: t.shape, data: Float64Array.from(t.data) }]));

    it("computes logits at every position equal to the float64 reference with the scaling, and unlike it without", () => {
      const logits = tf.tidy(() => loaded().logitsAt(batch, all).arraySync());
      expect(relativeError(logits, llamaRef(weights, tiny.config, batch))).toBeLessThanOrEqual(1e-4);
      // the same weights without scaling: what a loader that ignored rope_scaling would compute
      expect(relativeError(logits, llamaRef(weights, { ...tiny.config, rope_scaling: null }, batch))).toBeGreaterThan(1e-2);
    });
  });
});

describe("config.json's rope_scaling for llama", () => {
  const tiny = tinyModels().find((m) => m.name === "llama (untied)")!;
  const names = new Set(tiny.weights.keys());
  const parse = (ropeScaling: unknown) => () => llama.parse({ ...tiny.config, rope_scaling: ropeScaling }, names, "m/config.json");
  const llama3 = (change: Record<string, unknown>) => ({ ...LLAMA32_SCALING, ...change });

  it.each([
    ["none", null],
    ["default", { rope_type: "default" }],
    ["linear", { type: "linear", factor: 2 }],
    ["Llama-3.2-1B's llama3", LLAMA32_SCALING],
    ["llama3 under the legacy key \"type\"", { ...llama3({ rope_type: undefined }), type: "llama3" }],
  ])("accepts %s", (_what, ropeScaling) => {
    expect(parse(ropeScaling)).not.toThrow();
  });

  it.each([
    ["a string", "llama3", /rope_scaling must be an object or null, found "llama3"/],
    ["a list", [32], /rope_scaling must be an object or null, found \[32\]/],
    ["a non-string rope_type", { rope_type: 3, factor: 2 }, /field "rope_type" must be a string, found 3/],
    ["llama3 without factor", llama3({ factor: undefined }), /rope_scaling: missing field "factor"/],
    ["llama3 without original_max_position_embeddings", llama3({ original_max_position_embeddings: null }), /missing field "original_max_position_embeddings"/],
    ["a non-numeric low_freq_factor", llama3({ low_freq_factor: "1" }), /field "low_freq_factor" must be a number, found "1"/],
    ["a zero high_freq_factor", llama3({ high_freq_factor: 0 }), /field "high_freq_factor" must be positive, found 0/],
    ["a negative factor", llama3({ factor: -32 }), /field "factor" must be positive, found -32/],
    ["a fractional original_max_position_embeddings", llama3({ original_max_position_embeddings: 8192.5 }), /must be a positive integer, found 8192.5/],
    ["low_freq_factor equal to high_freq_factor", llama3({ low_freq_factor: 4 }), /low_freq_factor 4 must be below high_freq_factor 4/],
    ["low_freq_factor above high_freq_factor", llama3({ low_freq_factor: 4, high_freq_factor: 1 }), /low_freq_factor 4 must be below high_freq_factor 1/],
    ["a zero linear factor", { type: "linear", factor: 0 }, /field "factor" must be positive, found 0/],
  ])("refuses %s as CHECKPOINT_CORRUPT, naming the file and the field", (_what, ropeScaling, message) => {
    expect(parse(ropeScaling)).toThrow(expect.objectContaining({ code: "CHECKPOINT_CORRUPT", message: expect.stringMatching(message) }));
    expect(parse(ropeScaling)).toThrow(/^m\/config\.json: rope_scaling/);
  });

  it.each([
    ["yarn", { rope_type: "yarn", factor: 4 }],
    ["dynamic", { type: "dynamic", factor: 2 }],
    ["a scaling without a type", { factor: 2 }],
  ])("refuses %s as UNSUPPORTED_ARCH, listing the supported forms", (_what, ropeScaling) => {
    expect(parse(ropeScaling)).toThrow(expect.objectContaining({ code: "UNSUPPORTED_ARCH", message: expect.stringContaining('{"rope_type":"llama3","factor":f,') }));
  });

  it("quotes an untrusted rope_scaling briefly in the refusal", () => {
    expect(parse({ rope_type: "longrope", note: "x".repeat(100_000) })).toThrow(/^.{0,600}$/s);
  });
});
