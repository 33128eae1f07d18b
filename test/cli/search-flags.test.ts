// The search flags `c2i adapt` and `c2i sweep` share, parsed into settings overrides.
import { describe, expect, it } from "vitest";
import { settingsFrom } from "../../cli/commands/search-flags.ts";

describe("search flags", () => {
  it("--score-shard-size sets the matrices per score shard; it must be a positive integer", () => {
    expect(settingsFrom({ "score-shard-size": "154" })).toEqual({ scoreShardSize: 154 });
    expect(settingsFrom({})).toEqual({});
    for (const bad of ["0", "-3", "2.5", "many"]) {
      expect(() => settingsFrom({ "score-shard-size": bad })).toThrow(/score-shard-size/);
    }
  });

  it("only the flags given override the preset", () => {
    const s = settingsFrom({ "top-m": "2", blocks: "1,2", "score-sign": "negative" });
    expect(s).toEqual({ topM: 2, blockCounts: [1, 2], scoreSign: "negative" });
  });
});
