// Specification of SVD selection: one log line saying which path, and a fallback that never throws.
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { lapack } from "./helpers.ts";

function capture() {
  const lines: { level: number; msg: string; svd: string }[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe("selectSvd", () => {
  it("uses the TypeScript SVD when asked, with one log line", () => {
    const { logger, lines } = capture();
    expect(selectSvd({ prefer: "typescript", logger }).name).toBe("typescript");
    expect(lines).toHaveLength(1);
    expect(lines[0].svd).toBe("typescript");
  });

  it("falls back to TypeScript with one log line when no LAPACKE library loads", () => {
    for (const prefer of ["auto", "lapack"] as const) {
      const { logger, lines } = capture();
      const svd = selectSvd({ prefer, logger, libraries: ["libdoes-not-exist-c2i.so"] });
      expect(svd.name).toBe("typescript");
      expect(lines).toHaveLength(1);
      expect(lines[0].msg).toMatch(/LAPACK unavailable.*libdoes-not-exist-c2i\.so/);
      expect(lines[0].level).toBe(prefer === "lapack" ? 40 : 30);
    }
  });

  it.skipIf(!lapack)("takes LAPACK dgesdd on auto when liblapacke loads (skipped: not loadable here)", () => {
    const { logger, lines } = capture();
    expect(selectSvd({ logger }).name).toBe("lapack-dgesdd");
    expect(lines).toHaveLength(1);
    expect(lines[0].msg).toMatch(/liblapacke/);
  });
});
