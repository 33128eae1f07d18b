// Finding llama2.c models: each .bin is classified by content (export version, tokenizer of the model's vocab_size), never by name.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { C2iError } from "../../common/errors.ts";
import { classifyLlama2cFile, findLlama2cModels } from "../../agent/checkpoint/llama2c/discover.ts";
import { tokenizerBinBytes, trainTokenizer, writeTinyLlama2c, type TinyLlama2c } from "./llama2c-fixtures.ts";
import { makeTempDir } from "./tmp.ts";

const CORPUS = "Once upon a time there was a tiny model that talked about its weights and biases all day long.";

let tmp: ReturnType<typeof makeTempDir>;
let cfg: TinyLlama2c;
let tokBytes: Uint8Array;
let otherTokBytes: Uint8Array;
let sameSizeTokBytes: Uint8Array;
beforeAll(() => {
  tmp = makeTempDir("c2i-l2c-find-");
  const tok = trainTokenizer(CORPUS, 40);
  cfg = { dim: 16, hiddenDim: 40, nLayers: 2, nHeads: 4, nKvHeads: 2, vocabSize: tok.pieces.length, seqLen: 32, shared: true };
  tokBytes = tokenizerBinBytes(tok);
  otherTokBytes = tokenizerBinBytes(trainTokenizer(CORPUS, 5)); // fewer tokens than the model's vocab_size
  // same token count, different scores: a different tokenizer of the same size
  sameSizeTokBytes = tokenizerBinBytes({ ...tok, scores: tok.scores.map((s, i) => (i > 2 ? s - 1 : s)) });
});
afterAll(() => tmp.remove());

/** A folder under a fresh root: `files` maps a name to what to write there. */
function folder(root: string, name: string, files: Record<string, "legacy" | "v1" | "tok" | "otherTok" | "sameSizeTok" | "junk" | Uint8Array>): string {
  const dir = join(tmp.dir, root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, what] of Object.entries(files)) {
    const path = join(dir, file);
    if (what === "legacy") writeTinyLlama2c(path, cfg, 0);
    else if (what === "v1") writeTinyLlama2c(path, cfg, 1);
    else if (what === "tok") writeFileSync(path, tokBytes);
    else if (what === "otherTok") writeFileSync(path, otherTokBytes);
    else if (what === "sameSizeTok") writeFileSync(path, sameSizeTokBytes);
    else if (what === "junk") writeFileSync(path, Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 251));
    else writeFileSync(path, what);
  }
  return dir;
}

describe("llama2.c model discovery", () => {
  it("classifies each file by its content: legacy export, version-1 export, tokenizer, other", () => {
    const dir = folder("classify", "m", { "a.bin": "legacy", "b.bin": "v1", "c.bin": "tok", "d.bin": "junk" });
    expect(classifyLlama2cFile(join(dir, "a.bin"))).toMatchObject({ kind: "checkpoint", layout: { config: { version: 0, dim: 16 } } });
    expect(classifyLlama2cFile(join(dir, "b.bin"))).toMatchObject({ kind: "checkpoint", layout: { config: { version: 1, dim: 16 } } });
    expect(classifyLlama2cFile(join(dir, "c.bin"))).toEqual({ kind: "tokenizer", path: join(dir, "c.bin"), tokens: cfg.vocabSize });
    expect(classifyLlama2cFile(join(dir, "d.bin"))).toMatchObject({ kind: "other", reason: expect.stringContaining("neither a model export nor a tokenizer") });
  });

  it("yields one model per folder with both exports, its tokenizer under any name, and SOURCE.txt's first line", () => {
    const dir = folder("both", "tiny", { "model.bin": "legacy", "model_v1.bin": "v1", "vocab-whatever.bin": "tok" });
    writeFileSync(join(dir, "SOURCE.txt"), "\ntiny — written by the test\nmore lines\n");
    const { models, skipped } = findLlama2cModels(join(tmp.dir, "both"));
    expect(skipped).toEqual([]);
    expect(models).toEqual([{
      name: "tiny", dir, legacy: join(dir, "model.bin"), v1: join(dir, "model_v1.bin"), checkpoint: join(dir, "model.bin"),
      tokenizer: join(dir, "vocab-whatever.bin"), config: expect.objectContaining({ dim: 16, vocabSize: cfg.vocabSize, version: 0 }),
      source: "tiny — written by the test", ignored: [],
    }]);
  });

  it("converts the version-1 export when it is the only one, even named like a tokenizer", () => {
    const dir = folder("v1only", "m", { "tokenizer.bin": "v1", "x.bin": "tok" });
    const [m] = findLlama2cModels(join(tmp.dir, "v1only")).models;
    expect(m).toMatchObject({ legacy: undefined, v1: join(dir, "tokenizer.bin"), checkpoint: join(dir, "tokenizer.bin"), tokenizer: join(dir, "x.bin"), source: "" });
  });

  it("picks the tokenizer of the model's vocab_size beside another tokenizer, and lists junk and the other tokenizer as ignored", () => {
    const dir = folder("twotok", "m", { "m.bin": "legacy", "tok_a.bin": "otherTok", "tok_b.bin": "tok", "junk.bin": "junk", "copy.bin": "tok" });
    const [m] = findLlama2cModels(join(tmp.dir, "twotok")).models;
    expect(m!.tokenizer).toBe(join(dir, "copy.bin"));
    expect(m!.ignored).toEqual([
      expect.stringMatching(/^junk\.bin: neither a model export nor a tokenizer/),
      expect.stringMatching(/^tok_a\.bin: a tokenizer of \d+ tokens, not the model's \d+$/),
      "tok_b.bin: a copy of copy.bin",
    ]);
  });

  it("skips, with the reason, folders whose model cannot be settled: two different tokenizers of its size, no tokenizer, two exports of one version, headers that disagree", () => {
    const root = "ambiguous";
    folder(root, "a-two-tokenizers", { "m.bin": "legacy", "t1.bin": "tok", "t2.bin": "sameSizeTok" });
    folder(root, "b-no-tokenizer", { "m.bin": "legacy", "t.bin": "otherTok" });
    folder(root, "c-two-legacy", { "m1.bin": "legacy", "m2.bin": "legacy", "t.bin": "tok" });
    folder(root, "d-disagree", { "m.bin": "legacy", "t.bin": "tok" });
    writeTinyLlama2c(join(tmp.dir, root, "d-disagree", "m_v1.bin"), { ...cfg, nLayers: 1 }, 1);
    folder(root, "e-junk-only", { "junk.bin": "junk" });
    folder(root, "f-no-bin", { "README.txt": new TextEncoder().encode("hi") });
    const { models, skipped } = findLlama2cModels(join(tmp.dir, root));
    expect(models).toEqual([]);
    expect(skipped).toEqual([
      expect.stringMatching(/^a-two-tokenizers: several different tokenizers of \d+ tokens \(t1\.bin, t2\.bin\)$/),
      expect.stringMatching(/^b-no-tokenizer: no llama2\.c tokenizer with the model's \d+ tokens among m\.bin, t\.bin$/),
      "c-two-legacy: more than one export of the same version (m1.bin, m2.bin); keep one model per folder",
      "d-disagree: the legacy and version-1 exports have different headers (m.bin, m_v1.bin)",
      "e-junk-only: no llama2.c model export among junk.bin",
      "f-no-bin: no .bin files",
    ]);
  });

  it("finds nothing in an empty folder and reports a missing one as NOT_FOUND", () => {
    mkdirSync(join(tmp.dir, "empty"));
    expect(findLlama2cModels(join(tmp.dir, "empty"))).toEqual({ models: [], skipped: [] });
    let err: unknown;
    try {
      findLlama2cModels(join(tmp.dir, "missing"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(C2iError);
    expect((err as C2iError).code).toBe("NOT_FOUND");
  });
});
