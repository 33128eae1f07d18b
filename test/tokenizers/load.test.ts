// Specification of loading Hugging Face tokenizer directories and of what they add by default.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";
import { C2iError } from "../../common/errors.ts";
import { tempDir, writeBertTokenizer, writeGpt2Tokenizer, writeLlamaTokenizer } from "./fixtures.ts";

const tmp = tempDir("tokenizers");
afterAll(() => tmp.remove());

async function failure(p: Promise<unknown>): Promise<C2iError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof C2iError) return e;
    throw e;
  }
  throw new Error("expected a C2iError");
}

describe("loadTokenizer", () => {
  it("loads a GPT-2-shaped byte-level BPE that adds no BOS and round-trips text", async () => {
    const tok = await loadTokenizer(writeGpt2Tokenizer(join(tmp.dir, "gpt2")));
    const text = "The city is Paris.";
    const ids = tok.encode(text);
    expect(tok.decode(ids)).toBe(text);
    expect(ids).toContain(tok.tokenId("Ġcity"));
    expect(tok.addsBos).toBe(false);
    expect(tok.addsEos).toBe(false);
    expect(tok.bos).toBe(tok.tokenId("<|endoftext|>"));
    expect(tok.eos).toBe(tok.bos);
    expect(tok.vocabSize).toBe(tok.bos! + 1);
    expect(tok.decode([])).toBe("");
  });

  it("learns from the Llama-shaped template that BOS is added, but never adds it in encode", async () => {
    const tok = await loadTokenizer(writeLlamaTokenizer(join(tmp.dir, "llama")));
    expect(tok.addsBos).toBe(true);
    expect(tok.bos).toBe(1);
    expect(tok.eos).toBe(2);
    const ids = tok.encode("the Paris");
    expect(ids[0]).not.toBe(1);
    expect(ids).toEqual([tok.tokenId("▁the"), tok.tokenId("▁Paris")]);
    expect(tok.decode([1, ...ids], { skipSpecial: true })).toBe("the Paris");
  });

  it("lets add_bos_token in tokenizer_config.json override the template", async () => {
    const tok = await loadTokenizer(writeLlamaTokenizer(join(tmp.dir, "llama-nobos"), { addBosToken: false }));
    expect(tok.addsBos).toBe(false);
    expect(tok.bos).toBe(1);
  });

  it("finds BERT's [CLS]/[SEP] framing, mask and padding tokens from special_tokens_map.json", async () => {
    const tok = await loadTokenizer(writeBertTokenizer(join(tmp.dir, "bert")));
    expect(tok).toMatchObject({ addsBos: true, bos: 2, addsEos: true, eos: 3, mask: 4, maskToken: "[MASK]", pad: 0 });
    expect(tok.encode("The capital of France is [MASK].")).toEqual([5, 6, 7, 8, 10, 4, 14]);
  });

  it("names the directory when tokenizer.json is missing", async () => {
    const dir = join(tmp.dir, "empty");
    mkdirSync(dir);
    const e = await failure(loadTokenizer(dir));
    expect(e.code).toBe("TOKENIZER_MISSING");
    expect(e.message).toContain(dir);
  });

  it("names the file when tokenizer.json is not JSON or not a tokenizer the library supports", async () => {
    const bad = join(tmp.dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "tokenizer.json"), "{ not json");
    const e1 = await failure(loadTokenizer(bad));
    expect(e1.code).toBe("TOKENIZER_INVALID");
    expect(e1.message).toContain(join(bad, "tokenizer.json"));

    const odd = join(tmp.dir, "odd");
    mkdirSync(odd);
    writeFileSync(join(odd, "tokenizer.json"), JSON.stringify({ model: { type: "Telepathy" } }));
    const e2 = await failure(loadTokenizer(odd));
    expect(e2.code).toBe("TOKENIZER_INVALID");
    expect(e2.message).toContain("Telepathy");
  });

  it("refuses token ids that are not int32 and sizes the vocabulary from the file, in milliseconds even at id 2^31 − 1", async () => {
    const base = JSON.parse(readFileSync(join(writeLlamaTokenizer(join(tmp.dir, "ids-base")), "tokenizer.json"), "utf8"));
    type Json = { model: { vocab: Record<string, unknown> }; added_tokens: { id: unknown }[] };
    const withIds = (name: string, edit: (j: Json) => void) => {
      const dir = join(writeLlamaTokenizer(join(tmp.dir, name)));
      const j = structuredClone(base);
      edit(j);
      writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(j));
      return dir;
    };
    const t0 = performance.now();
    const far = await loadTokenizer(withIds("ids-far", (j) => (j.added_tokens[0]!.id = 2 ** 31 - 1)));
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(far.vocabSize).toBe(2 ** 31);
    const cases: [string, (j: Json) => void, string][] = [
      ["ids-big", (j) => (j.added_tokens[0]!.id = 2 ** 31), "added_tokens[0].id"],
      ["ids-neg", (j) => (j.model.vocab["▁t"] = -1), 'model.vocab["▁t"]'],
      ["ids-frac", (j) => (j.model.vocab["▁t"] = 1.5), 'model.vocab["▁t"]'],
      ["ids-text", (j) => (j.added_tokens[1]!.id = "1"), "added_tokens[1].id"],
    ];
    for (const [name, edit, what] of cases) {
      const e = await failure(loadTokenizer(withIds(name, edit)));
      expect(e.code).toBe("TOKENIZER_INVALID");
      expect(e.message).toContain(`${what} must be a token id`);
    }
  });
});
