// The memory plan (agent/models/memory-plan.ts) from config.json and the checkpoint header alone: the bytes the loaded
// model then holds, the engine's own micro-batch and activation figures, the widening scratch, and no tensor read.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { SafetensorsFile } from "../../agent/checkpoint/file.ts";
import { selectBackend } from "../../agent/compute/backend.ts";
import { hostKernelActive } from "../../agent/compute/blas/host-matmul.ts";
import { tensorMemoryLimit, WASM_HEAP_LIMIT_BYTES } from "../../agent/compute/memory.ts";
import { widenRowsPerStep } from "../../agent/models/host-matrix.ts";
import { loadModel } from "../../agent/models/load.ts";
import { planEngine, planMemory, readMemoryPlan, type MemoryPlanEngine, type StoredTensorInfo } from "../../agent/models/memory-plan.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";
import { architectureFor } from "../../agent/models/registry.ts";
import { gradientBytesPerToken, gradientRowsThatFit, HOST_CACHE_RESERVE_BYTES } from "../../agent/tasks/memory.ts";
import { gradientPlanBytes } from "../../agent/tasks/run.ts";
import { silentLogger } from "../../common/log.ts";
import { layerTensors, outerTensors, shapeById } from "../../bench/scale/shapes.ts";
import { blasMissing } from "../blas/backends.ts";
import { removeDir, tinyModels, writeTinyCheckpoint } from "./fixtures.ts";

const MiB = 2 ** 20;
const layerCacheBytes = 512 * MiB;

/** The tiny gpt2 with every 2-D tensor stored as `dtype` (vectors stay F32). */
function writeTiny(dtype: "F32" | "BF16"): string {
  const tiny = tinyModels().find((m) => m.name === "gpt2")!;
  const dir = writeTinyCheckpoint(tiny);
  writeCheckpoint(dir, [...tiny.weights].map(([n, t]) => ({ name: n, shape: t.shape, data: t.data, dtype: t.shape.length === 2 ? dtype : "F32" })));
  writeFileSync(join(dir, "config.json"), JSON.stringify(tiny.config));
  return dir;
}

describe.skipIf(blasMissing !== undefined)("a tiny checkpoint's plan on wasm with the host kernel", () => {
  const dirs: Record<string, string> = {};
  const models: Record<string, TransformerModel> = {};
  let engine: MemoryPlanEngine;
  beforeAll(async () => {
    const backend = await selectBackend({ prefer: "wasm", blas: "auto", blasThreads: 1, logger: silentLogger() });
    engine = planEngine(backend.name, backend.blas);
    for (const dtype of ["F32", "BF16"] as const) {
      dirs[dtype] = writeTiny(dtype);
      models[dtype] = await loadModel(dirs[dtype]!);
    }
  });
  afterAll(() => {
    for (const m of Object.values(models)) m.dispose();
    for (const d of Object.values(dirs)) removeDir(d);
  });

  it("describes the engine the agent runs: weights on the host, host kernel, the wasm heap's limit", () => {
    expect(engine).toEqual({ backend: "wasm", weightsOnHost: true, hostKernel: hostKernelActive(), memoryLimitBytes: tensorMemoryLimit() });
    expect(engine.hostKernel).toBe(true);
  });

  it("halves the host weights in BF16, and names the bytes the loaded model then holds", () => {
    const f32 = readMemoryPlan(dirs.F32!, { engine, layerCacheBytes });
    const bf16 = readMemoryPlan(dirs.BF16!, { engine, layerCacheBytes });
    expect(f32.hostWeightBytes).toBeGreaterThan(0);
    expect(bf16.hostWeightBytes).toBe(f32.hostWeightBytes / 2);
    expect([f32.matrixDtypes, bf16.matrixDtypes]).toEqual([["F32"], ["BF16"]]);
    for (const [plan, model] of [[f32, models.F32!], [bf16, models.BF16!]] as const) {
      expect(plan.hostWeightBytes).toBe(model.hostWeightBytes);
      expect(plan.backendWeightBytes).toBe(model.weightBytes);
    }
    expect(bf16.backendWeightBytes).toBe(f32.backendWeightBytes);
    expect(f32.totalBytes - bf16.totalBytes).toBe(f32.hostWeightBytes / 2 - bf16.widenScratchBytes);
  });

  it("widens nothing for F32 (read in place) and at most one step of the widest 16-bit matrix", () => {
    expect(readMemoryPlan(dirs.F32!, { engine, layerCacheBytes }).widenScratchBytes).toBe(0);
    const bf16 = readMemoryPlan(dirs.BF16!, { engine, layerCacheBytes });
    const largest = Math.max(...[...models.BF16!.stateDict().values()].filter((t) => t.shape.length === 2).map((t) => t.data.length));
    // The tiny matrices fit one step whole: the widener's memory grows to the largest of them, input and output.
    expect(bf16.widenScratchBytes).toBe(6 * largest);
  });

  it("plans the micro-batch and activations the gradient pass computes from the loaded model", () => {
    const model = models.BF16!;
    for (const [rows, tokens] of [[16, 48], [4, 12]] as const) {
      const plan = readMemoryPlan(dirs.BF16!, { engine, layerCacheBytes, rows, tokens });
      const length = Math.min(tokens, model.config.maxPositions);
      const fit = gradientRowsThatFit(model.config, length, rows, { limitBytes: WASM_HEAP_LIMIT_BYTES, ...gradientPlanBytes(model) });
      expect(plan.microBatch).toEqual({ rows, plannedRows: fit, tokens: length });
      expect(plan.activationBytes).toBe(fit * length * gradientBytesPerToken(model.config, length));
      // The host kernel keeps gradient sums in host arrays: none planned on the backend.
      expect(plan.gradientSumBytes).toBe(0);
    }
  });

  it("cuts the micro-batch where the backend's limit would, and keeps the sums on the backend without host weights", () => {
    const model = models.F32!;
    const tokens = 12;
    const perRow = tokens * gradientBytesPerToken(model.config, tokens);
    const plan0 = gradientPlanBytes(model);
    const limit = (plan0.heldBytes + plan0.passBytes + 3.5 * perRow) / 0.95;
    const tight = readMemoryPlan(dirs.F32!, { engine: { ...engine, memoryLimitBytes: limit }, layerCacheBytes, rows: 16, tokens });
    expect(tight.microBatch.plannedRows).toBe(3);
    expect(tight.activationBytes).toBe(3 * perRow);
    const resident = readMemoryPlan(dirs.F32!, { engine: { ...engine, weightsOnHost: false, hostKernel: false }, layerCacheBytes });
    expect(resident.hostWeightBytes).toBe(0);
    expect(resident.widenScratchBytes).toBe(0);
    expect(resident.backendWeightBytes).toBe(model.weightBytes! + 4 * [...model.stateDict().values()].filter((t) => t.shape.length === 2).reduce((a, t) => a + t.data.length, 0));
    const sums = model.candidates.reduce((a, c) => a + 4 * c.rows * c.cols, 0);
    expect(resident.gradientSumBytes).toBe(sums + 4 * model.config.vocabSize * model.config.hiddenSize);
  });

  it("caps the tokens at the job's maxTokens and the model's context", () => {
    const context = models.F32!.config.maxPositions;
    expect(readMemoryPlan(dirs.F32!, { engine, layerCacheBytes, tokens: 10 * context }).microBatch.tokens).toBe(context);
    expect(readMemoryPlan(dirs.F32!, { engine, layerCacheBytes, maxTokens: 5 }).microBatch.tokens).toBe(5);
  });

  it("sums its parts and reads only headers, never a tensor (loading the model does)", async () => {
    const reads = (["readStored", "readF32", "rawChunks"] as const).map((m) => vi.spyOn(SafetensorsFile.prototype, m));
    try {
      const p = readMemoryPlan(dirs.BF16!, { engine, layerCacheBytes });
      expect(p.totalBytes).toBe(p.hostWeightBytes + p.backendWeightBytes + p.widenScratchBytes + p.gradientSumBytes + p.activationBytes + p.factorCacheBytes + p.layerCacheBytes);
      for (const r of reads) expect(r).not.toHaveBeenCalled();
      (await loadModel(dirs.BF16!)).dispose();
      expect(reads[0]).toHaveBeenCalled();
    } finally {
      for (const r of reads) r.mockRestore();
    }
  });
});

describe("Llama-3.2-1B's plan from its published shape (no file written)", () => {
  const shape = shapeById("llama3.2-1b");
  const specs = [...outerTensors(shape), ...Array.from({ length: shape.layers }, (_, i) => layerTensors(shape, i)).flat()];
  const header = (dtype: "F32" | "BF16") => new Map<string, StoredTensorInfo>(specs.map((t) => [t.name, { dtype: t.shape.length === 2 ? dtype : "F32", shape: t.shape }]));
  const engine = planEngine("wasm", true);
  const plan = (dtype: "F32" | "BF16") => planMemory(shape.config, header(dtype), { engine, layerCacheBytes, label: "llama3.2-1b" });
  const vectors = specs.filter((t) => t.shape.length === 1).reduce((a, t) => a + t.shape[0]!, 0);
  const matrixParams = specs.filter((t) => t.shape.length === 2).reduce((a, t) => a + t.shape[0]! * t.shape[1]!, 0);

  it("holds its 1.2 B matrix parameters in 2.3 GiB as BF16 (twice that as F32) and only the vectors on the heap", () => {
    expect(plan("BF16").hostWeightBytes).toBe(2 * matrixParams);
    expect(plan("F32").hostWeightBytes).toBe(4 * matrixParams);
    expect(plan("BF16").backendWeightBytes).toBe(4 * vectors);
    expect(plan("BF16").hostWeightBytes / 2 ** 30).toBeCloseTo(2.3, 1);
  });

  it("widens 16 MiB of float32 at a time whatever the matrix (plus its 8 MiB of BF16 input), and nothing for F32", () => {
    expect(widenRowsPerStep(2048) * 2048 * 4).toBe(16 * MiB);
    expect(plan("BF16").widenScratchBytes).toBe(24 * MiB);
    expect(plan("F32").widenScratchBytes).toBe(0);
  });

  it("plans 16 sequences of 48 tokens under the wasm heap, with the gradient pass's own estimate", () => {
    const p = plan("BF16");
    const { config } = architectureFor("llama", "config.json").parse(shape.config, new Set(specs.map((t) => t.name)), "config.json");
    const held = { heldBytes: 4 * vectors, passBytes: HOST_CACHE_RESERVE_BYTES };
    expect(p.microBatch).toEqual({ rows: 16, plannedRows: gradientRowsThatFit(config, 48, 16, { limitBytes: WASM_HEAP_LIMIT_BYTES, ...held }), tokens: 48 });
    expect(p.activationBytes).toBe(p.microBatch.plannedRows * 48 * gradientBytesPerToken(config, 48));
    expect(p.gradientSumBytes).toBe(0);
  });
});
