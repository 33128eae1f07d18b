// Real tokenizers from ../shared/models (the llama2.c models, converted): they load, and plain text survives encode → decode.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertLlama2c } from "../../agent/checkpoint/llama2c/convert.ts";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";
import { makeTempDir } from "../checkpoint/tmp.ts";
import { sharedModels } from "../fixtures/shared-models.ts";

const shared = sharedModels();

describe.skipIf(shared.absent)(`real tokenizers in ${shared.root}`, () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir("c2i-real-tok-");
  });
  afterAll(() => tmp?.remove());

  it("finds at least one llama2.c model", () => {
    expect(shared.models.length, shared.skipped.join("; ")).toBeGreaterThan(0);
  });

  it.each(shared.models.map((m) => [m.name, m] as const))("%s loads after conversion and round-trips plain text without adding specials", async (name, m) => {
    const dir = join(tmp.dir, name);
    convertLlama2c({ checkpoint: m.checkpoint, tokenizer: m.tokenizer, out: dir });
    const tok = await loadTokenizer(dir);
    expect(tok.vocabSize).toBe(m.config.vocabSize);
    const text = "Once upon a time, there was a little dog named Max.";
    const ids = tok.encode(text);
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.every((id) => id >= 0 && id < tok.vocabSize)).toBe(true);
    if (tok.bos !== undefined) expect(ids[0]).not.toBe(tok.bos);
    expect(tok.decode(ids)).toBe(text);
  });
});
