// The additive attention bias: padding, causality, and packed branches that see the shared prefix and themselves only.
import { describe, expect, it } from "vitest";
import { attentionBias } from "../../agent/models/blocks/attention.ts";
import { positionIds } from "../../agent/models/blocks/context.ts";

/** The rule, written out: key s is visible to query t when real, not after t (causal), and shared or in t's branch. */
function reference(mask: number[], batch: number, length: number, causal: boolean, segments?: number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      for (let s = 0; s < length; s++) {
        const seg = (i: number) => segments?.[b * length + i] ?? 0;
        const ok = mask[b * length + s] === 1 && (!causal || s <= t) && (seg(s) === 0 || seg(s) === seg(t));
        out.push(ok ? 0 : -1e9);
      }
    }
  }
  return out;
}

describe("attentionBias", () => {
  const cases: [string, number[], number, number][] = [
    ["right padding", [1, 1, 1, 0, 1, 1, 0, 0], 2, 4],
    ["left padding and holes", [0, 0, 1, 1, 1, 0, 1, 0], 2, 4],
    ["no real token", [0, 0, 0], 1, 3],
  ];
  for (const causal of [true, false]) {
    for (const [name, mask, batch, length] of cases) {
      it(`masks padding${causal ? " and future keys" : ""}: ${name}`, () => {
        const bias = attentionBias(Int32Array.from(mask), batch, length, causal);
        expect(Array.from(bias.dataSync())).toEqual(reference(mask, batch, length, causal));
        bias.dispose();
      });
    }
  }

  it("lets a packed branch see the shared prompt and its own tokens, never another branch (prompt ++ branch 1 ++ branch 2, padded)", () => {
    const mask = [1, 1, 1, 1, 1, 1, 0];
    const segments = [0, 0, 0, 1, 1, 2, 0];
    for (const causal of [true, false]) {
      const bias = attentionBias(Int32Array.from(mask), 1, 7, causal, Int32Array.from(segments));
      const got = Array.from(bias.dataSync());
      expect(got).toEqual(reference(mask, 1, 7, causal, segments));
      // branch 2's token (t = 5) sees the prompt (0…2) and itself, not branch 1 (3, 4)
      if (causal) expect(got.slice(5 * 7, 6 * 7).map((v) => v === 0)).toEqual([true, true, true, false, false, true, false]);
      bias.dispose();
    }
  });

  it("numbers packed tokens by their given position ids (RoBERTa's offset applied to real tokens only)", () => {
    const batch = { ids: Int32Array.from([5, 6, 7, 8, 9, 0]), mask: Int32Array.from([1, 1, 1, 1, 1, 0]), batch: 1, length: 6, positionIds: Int32Array.from([0, 1, 2, 2, 2, 0]) };
    expect(Array.from(positionIds(batch))).toEqual([0, 1, 2, 2, 2, 0]);
    expect(Array.from(positionIds(batch, 1))).toEqual([2, 3, 4, 4, 4, 1]);
  });
});
