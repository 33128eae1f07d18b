// The c2i-vs-LASER bench's counting (grids, sample layers, extrapolation) and its word-level tokenizer stand-in.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadTokenizer } from "../../agent/tokenizers/mod.ts";
import { c2iCandidates, extrapolateLaser, laserGrid, meanRerunShare, sampleLayers } from "../../bench/laser/grid.ts";
import { writeWordTokenizer } from "../../bench/scale/checkpoint.ts";
import { shapeById } from "../../bench/scale/shapes.ts";

describe("c2i vs LASER bench: grids", () => {
  it("counts LASER's full grid from the engine's candidate table: every matrix × 9 rates", () => {
    const gpt2 = shapeById("gpt2-small");
    const llama = shapeById("tinyllama");
    expect(laserGrid("gpt2", gpt2.layers)).toEqual({ layers: 12, perLayer: 4, matrices: 48, rates: 9, candidates: 432 });
    expect(laserGrid("llama", llama.layers)).toEqual({ layers: 22, perLayer: 7, matrices: 154, rates: 9, candidates: 1386 });
  });

  it("counts c2i's candidates with METHOD.md's defaults: 4 block counts × top 5 × 9 rates", () => {
    expect(c2iCandidates()).toBe(180);
  });

  it("samples distinct layers spread over the depth, first and last included", () => {
    expect(sampleLayers(12, 2)).toEqual([0, 11]);
    expect(sampleLayers(22, 4)).toEqual([0, 7, 14, 21]);
    expect(sampleLayers(12, 1)).toEqual([5]);
    expect(() => sampleLayers(2, 3)).toThrow(/does not fit/);
  });

  it("averages the layers an edit reruns with every input cached to (L+1)/2L", () => {
    for (const L of [2, 12, 22]) expect(meanRerunShare(L)).toBeCloseTo((L + 1) / (2 * L), 12);
  });

  it("extrapolates LASER's search: its prepare and baseline + per-candidate agent-seconds × grid ÷ agents", () => {
    const grid = laserGrid("gpt2", 12);
    const x = extrapolateLaser({ candidates: 2, agents: 2, evaluateS: 50, prepareS: 10, baselineS: 50 }, grid, 5);
    const evaluate = (432 * 50) / 2;
    expect(x.perCandidateS).toBe(50);
    expect(x.evaluateS).toBe(evaluate);
    expect(x.searchS).toBe(60 + evaluate);
    expect(x.cachedSearchS).toBeCloseTo(60 + evaluate * (13 / 24), 9);
    expect(x.everyRowSearchS).toBe(10 + (50 + evaluate) * 5);
    expect(() => extrapolateLaser({ candidates: 3, agents: 2, evaluateS: 1, prepareS: 0, baselineS: 0 }, grid, 1)).toThrow(/evenly/);
  });
});

describe("c2i vs LASER bench: word-level tokenizer stand-in", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("gives every given word one id, fills up to exactly the vocabulary, and adds BOS when asked", async () => {
    dir = mkdtempSync(join(tmpdir(), "c2i-words-"));
    writeWordTokenizer(dir, 64, { words: ["Consider", "claim:", "w7", "vegan.", "true"], addBos: true });
    const t = await loadTokenizer(dir);
    expect(t.vocabSize).toBe(64);
    expect(t.addsBos).toBe(true);
    expect(t.encode("Consider claim: vegan. true w7")).toEqual([4, 5, 7, 8, 6]);
    expect(t.encode("unseen")).toEqual([t.tokenId("<unk>")]);
  });

  it("without words keeps id i as the word w<i>", async () => {
    dir = mkdtempSync(join(tmpdir(), "c2i-words-"));
    writeWordTokenizer(dir, 32);
    const t = await loadTokenizer(dir);
    expect(t.vocabSize).toBe(32);
    expect(t.addsBos).toBe(false);
    expect(t.encode("w4 w31")).toEqual([4, 31]);
  });

  it("refuses more words than the vocabulary holds", () => {
    dir = mkdtempSync(join(tmpdir(), "c2i-words-"));
    expect(() => writeWordTokenizer(dir!, 6, { words: ["a", "b", "c"] })).toThrow(/do not fit/);
  });
});
