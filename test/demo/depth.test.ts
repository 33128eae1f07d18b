// A deeper demo (`layers` > 2) only adds near-identity layers: same first layers, 7 more candidates per layer, same accuracy.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../agent/compute/backend.ts";
import { buildDemoModel, DEMO_SEED } from "../../agent/demo/construction.ts";
import { ensureDemo, writeDemo } from "../../agent/demo/write.ts";
import { selectSvd } from "../../agent/linalg/svd/select.ts";
import { loadModel } from "../../agent/models/load.ts";
import { ShardExecutor } from "../../agent/work/executor.ts";
import { silentLogger } from "../../common/log.ts";
import type { EvaluateResult } from "../../common/shards.ts";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "c2i-demo-depth-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the demo with more layers", () => {
  it("keeps the 2-layer demo's tensors unchanged and adds layers 2.. of small noise only", () => {
    const two = new Map(buildDemoModel().tensors.map((t) => [t.name, t]));
    const deep = buildDemoModel(DEMO_SEED, { layers: 4 });
    expect(deep.config.num_hidden_layers).toBe(4);
    for (const t of deep.tensors) {
      const layer = Number(/^model\.layers\.(\d+)\./.exec(t.name)?.[1] ?? -1);
      if (layer < 2) {
        expect(Buffer.from(t.data.buffer).equals(Buffer.from(two.get(t.name)!.data.buffer)), t.name).toBe(true);
      } else if (!t.name.endsWith("layernorm.weight")) {
        expect(Math.max(...t.data.map(Math.abs)), t.name).toBeLessThanOrEqual(0.02);
      }
    }
    expect(deep.tensors.length - two.size).toBe(2 * 9);
    expect(() => buildDemoModel(DEMO_SEED, { layers: 1 })).toThrow(/layers must be an integer ≥ 2/);
  });

  it("writes the default demo byte-identically with or without layers: 2, and caches deeper demos apart", () => {
    const a = writeDemo(join(root, "a"));
    const b = writeDemo(join(root, "b"), DEMO_SEED, { layers: 2 });
    expect(readFileSync(join(a.model, "model.safetensors")).equals(readFileSync(join(b.model, "model.safetensors")))).toBe(true);
    expect(readFileSync(join(a.model, "config.json")).equals(readFileSync(join(b.model, "config.json")))).toBe(true);
    const cache = join(root, "cache");
    const c2 = ensureDemo(cache);
    const c3 = ensureDemo(cache, { layers: 3 });
    expect(c3.model).not.toBe(c2.model);
    expect(JSON.parse(readFileSync(join(c2.model, "config.json"), "utf8")).num_hidden_layers).toBe(2);
    expect(JSON.parse(readFileSync(join(c3.model, "config.json"), "utf8")).num_hidden_layers).toBe(3);
  });

  it("at 12 layers loads with 12×7 candidates and has the 2-layer baseline accuracy on 100 rows", async () => {
    await selectBackend({ prefer: "cpu", blas: "off", logger: silentLogger() });
    const two = writeDemo(join(root, "two"));
    const twelve = writeDemo(join(root, "twelve"), DEMO_SEED, { layers: 12 });
    const model = await loadModel(twelve.model);
    try {
      expect(model.config.numLayers).toBe(12);
      expect(model.candidates.length).toBe(12 * 7);
    } finally {
      model.dispose();
    }
    const ex = new ShardExecutor({ svd: selectSvd({ prefer: "auto" }) });
    const indices = Array.from({ length: 100 }, (_, i) => i);
    const baseline = async (paths: { model: string; dataset: string }) =>
      ((await ex.run({
        kind: "evaluate",
        shardId: "depth",
        ref: { jobId: paths.model, model: paths.model, dataset: paths.dataset },
        samples: { name: "first", indices },
        candidates: [null],
      })) as EvaluateResult).evaluations[0]!;
    try {
      const a = await baseline(two);
      const b = await baseline(twelve);
      expect(a.accuracy).toBeGreaterThan(0.6);
      expect(b.accuracy).toBe(a.accuracy);
    } finally {
      await ex.close();
    }
  });
});
