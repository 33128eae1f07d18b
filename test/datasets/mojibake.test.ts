// Mojibake repair: UTF-8 read as Windows-1252 ("â€™") back to the characters written, and clean text left alone.
import { describe, expect, it } from "vitest";
import { hasMojibake, repairMojibake } from "../../agent/demo/cloze/mojibake.ts";

describe("repairMojibake", () => {
  it("restores the quotes, dashes and letters of the common sequences", () => {
    const cases: [string, string][] = [
      ["Itâ€™s mine", "It’s mine"],
      ["â€œHello!â€\u009d", "“Hello!”"],
      ["â€˜Ahhh-Choo!â€™", "‘Ahhh-Choo!’"],
      ["happy â€“ now", "happy – now"],
      ["herâ€”she", "her—she"],
      ["Waitâ€¦", "Wait…"],
      ["onâ€Š/â€Šoff", "on\u200a/\u200aoff"],
      ["cafÃ© naÃ¯ve", "café naïve"],
      ["5Â\u00a0cm", "5\u00a0cm"],
    ];
    for (const [broken, written] of cases) expect(repairMojibake(broken).text).toBe(written);
  });

  it("reads a lone \"â€\" (its 0x9D byte dropped by the export) as a closing double quote", () => {
    expect(repairMojibake("â€œCan you help me?â€ Ben asked.")).toEqual({ text: "“Can you help me?” Ben asked.", repaired: 2 });
    expect(repairMojibake("some cheese.â€\n").text).toBe("some cheese.”\n");
  });

  it("leaves text without mojibake unchanged, including real accents and curly quotes next to each other", () => {
    for (const clean of ["Plain ASCII, \"quoted\".", "café’s “menu”", "naïve—really…", "Ünïcödé ok", ""]) {
      expect(repairMojibake(clean)).toEqual({ text: clean, repaired: 0 });
    }
  });

  it("counts every repaired sequence, and hasMojibake sees what is left", () => {
    const r = repairMojibake("â€œIâ€™m here,â€ she said. â€œYou are!â€");
    expect(r).toEqual({ text: "“I’m here,” she said. “You are!”", repaired: 5 });
    expect(hasMojibake(r.text)).toBe(false);
    expect(hasMojibake("Itâ€™s")).toBe(true);
  });
});
