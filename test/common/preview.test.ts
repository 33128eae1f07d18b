// previewJson: error messages quote untrusted values briefly, and never overflow on deep or huge ones.
import { describe, expect, it } from "vitest";
import { previewJson } from "../../common/preview.ts";

const deep = (n: number): unknown => JSON.parse("[".repeat(n) + "]".repeat(n));

describe("previewJson", () => {
  it("writes small values exactly as JSON.stringify does", () => {
    for (const v of [null, true, 0, -1.5, "yes", "a\"b\n", [], {}, [1, "x", null], { a: 1, b: [2, { c: "d" }] }]) {
      expect(previewJson(v)).toBe(JSON.stringify(v));
    }
    expect(previewJson(undefined)).toBe("undefined");
  });

  it("cuts long strings, long lists and wide objects at about maxChars, marked with …", () => {
    expect(previewJson("x".repeat(1000), 20)).toBe(`"${"x".repeat(19)}…`);
    const list = previewJson(Array.from({ length: 1_000_000 }, (_, i) => i), 30);
    expect(list).toHaveLength(31);
    expect(list.endsWith("…")).toBe(true);
    expect(previewJson(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])), 30)).toMatch(/^\{"k0":0,"k1":1,.*…$/);
  });

  it("renders a 100,000-deep array (JSON.stringify throws RangeError on it)", () => {
    const v = deep(100_000);
    expect(() => JSON.stringify(v)).toThrow(RangeError);
    expect(previewJson(v, 10)).toBe(`${"[".repeat(10)}…`);
  });
});
