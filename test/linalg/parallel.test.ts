// Specification of the SVD worker pool: results identical to the serial path, shared inputs, clean shutdown.
import { afterAll, describe, expect, it } from "vitest";
import { factorBlocks } from "../../agent/linalg/blocks.ts";
import { SvdWorkers } from "../../agent/linalg/parallel.ts";
import { randomMatrix, svdPaths } from "./helpers.ts";

for (const [prefer, serial] of [
  ["typescript", svdPaths[0].svd],
  ["lapack", svdPaths[2].svd],
] as const) {
  describe.skipIf(!serial)(`SvdWorkers (${prefer})${serial ? "" : " (skipped: liblapacke.so.3 not loadable here)"}`, () => {
    const pool = new SvdWorkers({ threads: 2, prefer });
    afterAll(() => pool.close());
    const mats = [randomMatrix(40, 25, 1), randomMatrix(25, 40, 2), randomMatrix(33, 33, 3)];

    it("chooses the same implementation as the serial path", async () => {
      expect(await pool.implementation()).toBe(serial!.name);
    });

    it("decomposes many matrices with results bit-identical to the serial path, in input order", async () => {
      const got = await pool.decomposeMany(mats);
      got.forEach((res, i) => {
        const want = serial!.decompose(mats[i]);
        expect(res.s).toEqual(want.s);
        expect(res.u).toEqual(want.u);
        expect(res.vt).toEqual(want.vt);
      });
    });

    it("factors every block of several (matrix, K) pairs exactly as factorBlocks does", async () => {
      const shared = new Float64Array(new SharedArrayBuffer(41 * 30 * 8));
      shared.set(randomMatrix(41, 30, 4).data);
      const w = { rows: 41, cols: 30, data: shared };
      const got = await pool.factorBlocksMany([1, 2, 4].map((blocks) => ({ w, blocks })));
      [1, 2, 4].forEach((k, i) => expect(got[i]).toEqual(factorBlocks(w, k, serial!)));
    });
  });
}

describe("SvdWorkers lifecycle", () => {
  it("rejects work after close", async () => {
    const pool = new SvdWorkers({ threads: 1, prefer: "typescript" });
    await pool.close();
    await expect(pool.decomposeMany([randomMatrix(3, 3, 1)])).rejects.toThrow(/closed/);
    await pool.close();
  });
});
