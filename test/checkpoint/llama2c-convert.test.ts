// llama2.c → Hugging Face Llama conversion: names, shapes, values, config.json, both export versions, bad files, the CLI, the real model.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { C2iError } from "../../common/errors.ts";
import { convertLlama2c } from "../../agent/checkpoint/llama2c/convert.ts";
import type { Llama2cModel } from "../../agent/checkpoint/llama2c/discover.ts";
import { readLlama2cHeader } from "../../agent/checkpoint/llama2c/header.ts";
import { permuteForRotateHalf } from "../../agent/checkpoint/llama2c/permute.ts";
import { openCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { sharedModels, smallestSharedModel } from "../fixtures/shared-models.ts";
import { runCli } from "./cli.ts";
import { llama2cBytes, llama2cEncode, tinyWeights, tokenizerBinBytes, trainTokenizer, writeTinyLlama2c, type TinyLlama2c } from "./llama2c-fixtures.ts";
import { makeTempDir } from "./tmp.ts";

const TIED: TinyLlama2c = { dim: 16, hiddenDim: 40, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: 0, seqLen: 32, shared: true };

let tmp: ReturnType<typeof makeTempDir>;
let tokFile: string;
let cfg: TinyLlama2c;
beforeAll(() => {
  tmp = makeTempDir("c2i-l2c-");
  const tok = trainTokenizer("Once upon a time there was a tiny model that talked about its weights and biases all day long.", 40);
  cfg = { ...TIED, vocabSize: tok.pieces.length };
  tokFile = join(tmp.dir, "tokenizer.bin");
  writeFileSync(tokFile, tokenizerBinBytes(tok));
});
afterAll(() => tmp.remove());

function expectCorrupt(fn: () => unknown, ...fragments: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(C2iError);
  expect((err as C2iError).code).toBe("CHECKPOINT_CORRUPT");
  for (const f of fragments) expect((err as C2iError).message).toContain(f);
}

/** Rows `l` of a [layers × rows × cols] block. */
const layer = (block: Float32Array, l: number, size: number) => block.subarray(l * size, (l + 1) * size);

describe("llama2.c conversion", () => {
  for (const [version, shared] of [[0, true], [0, false], [1, false], [1, true]] as const) {
    it(`writes Hugging Face Llama tensors with the right names, shapes and values (export v${version}, ${shared ? "tied" : "untied"} classifier)`, () => {
      const c = { ...cfg, shared };
      const bin = join(tmp.dir, `model-v${version}-${shared}.bin`);
      const out = join(tmp.dir, `out-v${version}-${shared}`);
      const w = writeTinyLlama2c(bin, c, version);
      const result = convertLlama2c({ checkpoint: bin, tokenizer: tokFile, out });
      const kv = (c.dim * c.nKvHeads) / c.nHeads;
      expect(result.tensors).toBe(1 + 9 * c.nLayers + 1 + (shared ? 0 : 1));
      const ckpt = openCheckpoint(out);
      try {
        expect(ckpt.has("lm_head.weight")).toBe(!shared);
        expect(ckpt.entry("model.layers.1.self_attn.k_proj.weight").shape).toEqual([kv, c.dim]);
        expect(ckpt.entry("model.layers.0.mlp.down_proj.weight").shape).toEqual([c.dim, c.hiddenDim]);
        expect(ckpt.readF32("model.embed_tokens.weight")).toEqual(w.embed);
        expect(ckpt.readF32("model.norm.weight")).toEqual(w.rmsFinal);
        const hd = c.hiddenDim * c.dim;
        for (let l = 0; l < c.nLayers; l++) {
          const p = `model.layers.${l}`;
          expect(ckpt.readF32(`${p}.input_layernorm.weight`)).toEqual(layer(w.rmsAtt!, l, c.dim));
          expect(ckpt.readF32(`${p}.post_attention_layernorm.weight`)).toEqual(layer(w.rmsFfn!, l, c.dim));
          expect(ckpt.readF32(`${p}.self_attn.q_proj.weight`)).toEqual(permuteForRotateHalf(layer(w.wq!, l, c.dim * c.dim), c.nHeads, c.dim));
          expect(ckpt.readF32(`${p}.self_attn.k_proj.weight`)).toEqual(permuteForRotateHalf(layer(w.wk!, l, kv * c.dim), c.nKvHeads, c.dim));
          expect(ckpt.readF32(`${p}.self_attn.v_proj.weight`)).toEqual(layer(w.wv!, l, kv * c.dim));
          expect(ckpt.readF32(`${p}.self_attn.o_proj.weight`)).toEqual(layer(w.wo!, l, c.dim * c.dim));
          expect(ckpt.readF32(`${p}.mlp.gate_proj.weight`)).toEqual(layer(w.w1!, l, hd));
          expect(ckpt.readF32(`${p}.mlp.up_proj.weight`)).toEqual(layer(w.w3!, l, hd));
          expect(ckpt.readF32(`${p}.mlp.down_proj.weight`)).toEqual(layer(w.w2!, l, hd));
        }
        if (!shared) expect(ckpt.readF32("lm_head.weight")).toEqual(w.wcls);
      } finally {
        ckpt.close();
      }
      const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
      expect(config).toMatchObject({
        architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_size: 16, intermediate_size: 40, num_hidden_layers: 2,
        num_attention_heads: 4, num_key_value_heads: 2, vocab_size: c.vocabSize, max_position_embeddings: 32,
        rope_theta: 10000, rms_norm_eps: 1e-5, tie_word_embeddings: shared, bos_token_id: 1, eos_token_id: 2,
      });
    });
  }

  it("writes a tokenizer.json that @huggingface/tokenizers loads and that encodes like llama2.c", () => {
    const out = join(tmp.dir, "out-v0-true");
    const tok = new Tokenizer(JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(out, "tokenizer_config.json"), "utf8")));
    const bin = trainTokenizer("Once upon a time there was a tiny model that talked about its weights and biases all day long.", 40);
    const text = "Once upon a time, a model talked.";
    expect(tok.encode(text).ids).toEqual(llama2cEncode(bin, text, true));
  });

  it("can store the weights as BF16", () => {
    const bin = join(tmp.dir, "model-bf16.bin");
    writeTinyLlama2c(bin, cfg);
    const out = join(tmp.dir, "out-bf16");
    convertLlama2c({ checkpoint: bin, tokenizer: tokFile, out, dtype: "BF16" });
    const ckpt = openCheckpoint(out);
    expect(ckpt.entry("model.norm.weight").dtype).toBe("BF16");
    ckpt.close();
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).torch_dtype).toBe("bfloat16");
  });

  it("rejects truncated files, impossible headers and unknown versions with one clear error", () => {
    const good = llama2cBytes(cfg, tinyWeights(cfg));
    const file = join(tmp.dir, "bad.bin");
    writeFileSync(file, good.subarray(0, good.length - 4));
    expectCorrupt(() => readLlama2cHeader(file), "bad.bin", `dim=16`, "needs", "truncated");
    writeFileSync(file, good.subarray(0, 20));
    expectCorrupt(() => readLlama2cHeader(file), "bad.bin", "shorter than the 28-byte header");
    const heads = Uint8Array.from(good);
    new DataView(heads.buffer).setInt32(12, 5, true); // n_heads = 5 does not divide dim 16
    writeFileSync(file, heads);
    expectCorrupt(() => readLlama2cHeader(file), "dim 16 is not n_heads 5");
    const neg = Uint8Array.from(good);
    new DataView(neg.buffer).setInt32(8, -3, true);
    writeFileSync(file, neg);
    expectCorrupt(() => readLlama2cHeader(file), "n_layers=-3");
    const v2 = new Uint8Array(300);
    new DataView(v2.buffer).setUint32(0, 0x616b3432, true);
    new DataView(v2.buffer).setInt32(4, 2, true);
    writeFileSync(file, v2);
    expectCorrupt(() => readLlama2cHeader(file), "version 2 is not supported");
    // a tokenizer whose size disagrees with the model's vocab_size
    const small = join(tmp.dir, "small.bin");
    writeTinyLlama2c(small, { ...cfg, vocabSize: cfg.vocabSize - 1 });
    expectCorrupt(() => convertLlama2c({ checkpoint: small, tokenizer: tokFile, out: join(tmp.dir, "never") }), "tokenizer.bin", "vocab_size");
  });

  it("`c2i convert llama2c` converts through the real CLI with --json, and a bad file is one error line, exit 2", async () => {
    const bin = join(tmp.dir, "cli.bin");
    writeTinyLlama2c(bin, cfg);
    const out = join(tmp.dir, "cli-out");
    const ok = await runCli(["convert", "llama2c", "--checkpoint", bin, "--tokenizer", tokFile, "--out", out, "--json"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.stdout);
    expect(summary).toMatchObject({ out, tensors: 20, config: { dim: 16, nLayers: 2, sharedClassifier: true }, tokenizer: { tokens: cfg.vocabSize } });
    const inspect = await runCli(["inspect", "--model", out, "--json"]);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ modelType: "llama", parameters: summary.parameters });
    writeFileSync(bin, readFileSync(bin).subarray(0, 100));
    const bad = await runCli(["convert", "llama2c", "--checkpoint", bin, "--tokenizer", tokFile, "--out", join(tmp.dir, "cli-bad")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("CHECKPOINT_CORRUPT");
    expect(bad.stderr).toContain("cli.bin");
  });
});

/** Every tensor of a converted directory: name → shape, dtype and raw bytes. */
function tensorsOf(dir: string): Map<string, { shape: number[]; dtype: string; bytes: Buffer }> {
  const ckpt = openCheckpoint(dir);
  try {
    return new Map(ckpt.names().map((n) => {
      const e = ckpt.entry(n);
      return [n, { shape: e.shape, dtype: e.dtype, bytes: Buffer.concat([...ckpt.rawChunks(n)]) }];
    }));
  } finally {
    ckpt.close();
  }
}

const shared = sharedModels();
describe.skipIf(shared.absent)(`converting the real llama2.c model in ${shared.root}`, () => {
  let m: Llama2cModel;
  let legacyOut = "";
  let v1Out = "";
  beforeAll(async () => {
    m = smallestSharedModel();
    legacyOut = join(tmp.dir, "real-legacy");
    v1Out = join(tmp.dir, "real-v1");
    for (const [checkpoint, out] of [[m.legacy, legacyOut], [m.v1, v1Out]] as const) {
      if (!checkpoint) continue;
      const r = await runCli(["convert", "llama2c", "--checkpoint", checkpoint, "--tokenizer", m.tokenizer, "--out", out, "--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
  });

  it("finds the model's exports and its tokenizer by content", () => {
    expect(m.tokenizer).toBeTruthy();
    expect(m.legacy ?? m.v1).toBeTruthy();
    console.log(`${m.name}: legacy ${m.legacy ?? "-"}, v1 ${m.v1 ?? "-"}, tokenizer ${m.tokenizer}${m.ignored.map((i) => `; ignored ${i}`).join("")}`);
  });

  it("turns the legacy and the version-1 export into identical Hugging Face tensors (names, shapes, bytes) and config", (ctx) => {
    if (!m.legacy || !m.v1) ctx.skip(`${m.dir} holds only one export (legacy ${m.legacy ?? "none"}, v1 ${m.v1 ?? "none"})`);
    const a = tensorsOf(legacyOut);
    const b = tensorsOf(v1Out);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, t] of a) {
      const u = b.get(name)!;
      expect(u.shape, name).toEqual(t.shape);
      expect(u.dtype, name).toBe(t.dtype);
      expect(u.bytes.equals(t.bytes), `${name}: bytes differ`).toBe(true);
    }
    const params = [...a.values()].reduce((s, t) => s + t.bytes.length / 4, 0);
    console.log(`${m.name}: ${a.size} tensors, ${params} parameters, identical from both exports`);
    expect(readFileSync(join(v1Out, "config.json"), "utf8")).toBe(readFileSync(join(legacyOut, "config.json"), "utf8"));
    expect(readFileSync(join(v1Out, "tokenizer.json"), "utf8")).toBe(readFileSync(join(legacyOut, "tokenizer.json"), "utf8"));
  });

  it("writes a loadable Llama checkpoint whose tokenizer round-trips text", () => {
    const out = m.legacy ? legacyOut : v1Out;
    const c = m.config;
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    expect(config).toMatchObject({
      model_type: "llama", hidden_size: c.dim, intermediate_size: c.hiddenDim, num_hidden_layers: c.nLayers, num_attention_heads: c.nHeads,
      num_key_value_heads: c.nKvHeads, vocab_size: c.vocabSize, max_position_embeddings: c.seqLen, tie_word_embeddings: c.sharedClassifier,
    });
    const ckpt = openCheckpoint(out);
    try {
      expect(ckpt.entry("model.layers.0.self_attn.q_proj.weight").shape).toEqual([c.dim, c.dim]);
      expect(ckpt.entry("model.layers.0.self_attn.k_proj.weight").shape).toEqual([(c.dim * c.nKvHeads) / c.nHeads, c.dim]);
      expect(ckpt.has("lm_head.weight")).toBe(!c.sharedClassifier);
      for (const n of ckpt.names()) expect(ckpt.readF32(n).every(Number.isFinite), n).toBe(true);
    } finally {
      ckpt.close();
    }
    const tok = new Tokenizer(JSON.parse(readFileSync(join(out, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(out, "tokenizer_config.json"), "utf8")));
    expect(tok.decode(tok.encode("Once upon a time, there was a little girl.").ids, { skip_special_tokens: true })).toBe("Once upon a time, there was a little girl.");
  });
});
