// Real tokenizers from ../shared/models (when present): they load, and plain text survives encode → decode.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadTokenizer } from "../../agent/tokenizers/load.ts";

const root = resolve(import.meta.dirname, "../../../shared/models");
const dirs = existsSync(root)
  ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(root, d.name, "tokenizer.json"))).map((d) => join(root, d.name))
  : [];
if (dirs.length === 0) console.warn(`skipping real-tokenizer tests: no */tokenizer.json under ${root}`);

describe.skipIf(dirs.length === 0)("real tokenizers in ../shared/models", () => {
  it.each(dirs)("%s loads and round-trips plain text without adding specials", async (dir) => {
    const tok = await loadTokenizer(dir);
    const text = "Once upon a time, there was a little dog named Max.";
    const ids = tok.encode(text);
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.every((id) => id >= 0 && id < tok.vocabSize)).toBe(true);
    if (tok.bos !== undefined) expect(ids[0]).not.toBe(tok.bos);
    expect(tok.decode(ids).trim().toLowerCase()).toBe(text.toLowerCase());
  });
});
