// recipe.json validation: every malformed field gives one clear error naming it.
import { describe, expect, it } from "vitest";
import { makeRecipe, parseRecipe } from "../../common/recipe.ts";

const good = makeRecipe("0123456789abcdef".repeat(4), "llama", [{ matrix: "m", blocks: 2, rate: 0.9, keptRanks: [3, 3], clustering: "blocks" }]);

describe("parseRecipe", () => {
  it("round-trips a recipe through JSON", () => {
    expect(parseRecipe(JSON.stringify(good))).toEqual(good);
    expect(parseRecipe(JSON.stringify(makeRecipe(good.modelFingerprint, "gpt2", [])))).toMatchObject({ edits: [] });
    const weighted = makeRecipe(good.modelFingerprint, "llama", [{ ...good.edits[0]!, colScale: [Math.PI, 1 / 3, 1e-300] }], "asvd");
    expect(parseRecipe(JSON.stringify(weighted))).toEqual(weighted);
  });

  it.each([
    ["not json", "{", "not valid JSON"],
    ["wrong version", { ...good, version: 2 }, "version"],
    ["bad fingerprint", { ...good, modelFingerprint: "xyz" }, "modelFingerprint"],
    ["bad factorization", { ...good, factorization: "nmf" }, "factorization must be one of svd, fwsvd, asvd"],
    ["asvd without its column scales", { ...good, factorization: "asvd" }, "edits[0].colScale is required"],
    ["fwsvd without its row scales", { ...good, factorization: "fwsvd" }, "edits[0].rowScale is required"],
    ["scales of the other factorization", { ...good, factorization: "fwsvd", edits: [{ ...good.edits[0], rowScale: [1, 2], colScale: [1] }] }, "edits[0].colScale is only meaningful"],
    ["scales with plain svd", { ...good, edits: [{ ...good.edits[0], rowScale: [1, 2] }] }, "edits[0].rowScale is only meaningful"],
    ["a scale whose inverse overflows", { ...good, factorization: "fwsvd", edits: [{ ...good.edits[0], rowScale: [1, 5e-324] }] }, "finite inverses"],
    ["non-positive scales", { ...good, factorization: "asvd", edits: [{ ...good.edits[0], colScale: [1, 0] }] }, "finite positive"],
    ["rate out of range", { ...good, edits: [{ ...good.edits[0], rate: 1 }] }, "edits[0].rate"],
    ["kept ranks per block", { ...good, edits: [{ ...good.edits[0], keptRanks: [3] }] }, "edits[0].keptRanks"],
    ["blocks", { ...good, edits: [{ ...good.edits[0], blocks: 0 }] }, "edits[0].blocks"],
    ["same matrix twice", { ...good, edits: [good.edits[0], good.edits[0]] }, "edited twice"],
    ["a version nested 100,000 deep", `{"version":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, "version must be 1, got [[["],
    ["clustering", { ...good, edits: [{ ...good.edits[0], clustering: "kmeans" }] }, "clustering"],
  ])("rejects %s", (_name, input, field) => {
    expect(() => parseRecipe(typeof input === "string" ? input : JSON.stringify(input), "r.json")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringContaining(field) }));
  });
});
