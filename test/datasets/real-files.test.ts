// The named loaders on the real native files in ../shared/data/<name>, when this machine has them (it skips otherwise).
import { describe, expect, it } from "vitest";
import { namedDatasets } from "../../agent/tasks/datasets/registry.ts";
import { realData, SHARED_DATA } from "./fixtures.ts";

for (const d of namedDatasets) {
  const path = realData(d.name);
  describe.skipIf(!path)(`${d.name} on the real files (skipped: ${SHARED_DATA}/${d.name} is absent on this machine)`, () => {
    it("loads rows with non-empty prompts and a gold label in range", () => {
      const data = d.load(path!);
      expect(data.protocol).toBe(d.protocol);
      expect(data.rows.length).toBeGreaterThan(0);
      for (const row of data.rows) {
        expect(row.prompt.length).toBeGreaterThan(0);
        if ("choices" in row) {
          expect(row.choices).toEqual(d.choices);
          expect(row.label).toBeGreaterThanOrEqual(0);
          expect(row.label).toBeLessThan(row.choices.length);
        } else {
          expect(row.answer.trim().length).toBeGreaterThan(0);
        }
      }
    });
  });
}
