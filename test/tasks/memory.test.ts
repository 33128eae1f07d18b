// The gradient pass's memory estimate against the peaks measured on GPT-2-small shapes (see agent/tasks/memory.ts).
import { describe, expect, it } from "vitest";
import { WASM_HEAP_LIMIT_BYTES } from "../../agent/compute/memory.ts";
import type { ModelConfig } from "../../agent/models/types.ts";
import { gradientRowsThatFit } from "../../agent/tasks/memory.ts";
import { C2iError } from "../../common/errors.ts";

const MiB = 2 ** 20;
const gpt2Small: ModelConfig = {
  modelType: "gpt2", vocabSize: 50257, hiddenSize: 768, numLayers: 12, numHeads: 12, numKvHeads: 12, headDim: 64,
  intermediateSize: 3072, maxPositions: 1024, causal: true, raw: {},
};
// As measured: 475 MiB of weights held; the 48 gradient sums (324 MiB) and the tied head's copy (147 MiB) during the pass.
const wasm = { limitBytes: WASM_HEAP_LIMIT_BYTES, heldBytes: 475 * MiB, passBytes: (324 + 147) * MiB };

describe("gradient micro-batch sizes under the wasm heap", () => {
  it("allows the 16 sequences of 48 tokens that ran (3847 MiB peak) and caps 128-token ones below the 8 that aborted", () => {
    expect(gradientRowsThatFit(gpt2Small, 48, 16, wasm)).toBe(16);
    const at128 = gradientRowsThatFit(gpt2Small, 128, 16, wasm);
    expect(at128).toBeGreaterThanOrEqual(4); // 4 × 128 ran (2880 MiB peak)
    expect(at128).toBeLessThan(8); // 8 × 128 aborted
  });

  it("never asks for more than wanted, and allows fewer sequences as they grow longer", () => {
    expect(gradientRowsThatFit(gpt2Small, 16, 4, wasm)).toBe(4);
    let previous = Infinity;
    for (const length of [16, 64, 128, 256, 512]) {
      const rows = gradientRowsThatFit(gpt2Small, length, 1000, wasm);
      expect(rows).toBeLessThanOrEqual(previous);
      previous = rows;
    }
  });

  it("refuses, naming the sizes and what to do, when not one sequence fits", () => {
    const full = { ...wasm, heldBytes: 3800 * MiB };
    expect(() => gradientRowsThatFit(gpt2Small, 1024, 16, full)).toThrow(C2iError);
    expect(() => gradientRowsThatFit(gpt2Small, 1024, 16, full)).toThrow(/one 1024-token sequence needs ~\d+ MiB.*4096 MiB limit: use shorter prompts/);
  });
});
