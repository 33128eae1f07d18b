// Bad checkpoints fail at load with one clear error naming what is wrong and where.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeCheckpoint } from "../../agent/checkpoint/safetensors.ts";
import { loadModel } from "../../agent/models/load.ts";
import { useBackend } from "./backends.ts";
import { removeDir, tinyModels, writeTinyCheckpoint, type TinyModel } from "./fixtures.ts";

const gpt2 = (): TinyModel => tinyModels()[0]!;
const dirs: string[] = [];
function write(model: TinyModel): string {
  const dir = writeTinyCheckpoint(model);
  dirs.push(dir);
  return dir;
}

describe("loadModel rejects bad checkpoints", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });
  afterEach(() => {
    while (dirs.length > 0) removeDir(dirs.pop()!);
  });

  it("names an unknown model_type and lists the supported ones (UNSUPPORTED_ARCH)", async () => {
    const m = gpt2();
    m.config = { ...m.config, model_type: "mamba" };
    await expect(loadModel(write(m))).rejects.toMatchObject({
      code: "UNSUPPORTED_ARCH",
      message: expect.stringMatching(/"mamba".*gpt2, gptj, gpt_neox, llama, bert, roberta/),
    });
  });

  it("names a missing tensor (CHECKPOINT_MISSING_TENSOR)", async () => {
    const m = gpt2();
    m.weights.delete("transformer.h.1.mlp.c_proj.bias");
    await expect(loadModel(write(m))).rejects.toMatchObject({
      code: "CHECKPOINT_MISSING_TENSOR",
      message: expect.stringContaining('"transformer.h.1.mlp.c_proj.bias"'),
    });
  });

  it("names the tensor, the expected and the found shape on a mismatch (SHAPE_MISMATCH)", async () => {
    const m = gpt2();
    const dir = write(m);
    const tensors = [...m.weights].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
    const i = tensors.findIndex((t) => t.name === "transformer.h.0.attn.c_proj.weight");
    tensors[i] = { name: tensors[i]!.name, shape: [8, 32], data: tensors[i]!.data };
    rmSync(join(dir, "model.safetensors"));
    writeCheckpoint(dir, tensors);
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: "SHAPE_MISMATCH",
      message: expect.stringMatching(/"transformer\.h\.0\.attn\.c_proj\.weight" has shape \[8,32\], expected \[16,16\]/),
    });
  });

  it("names a missing config.json (NOT_FOUND) and invalid JSON (CHECKPOINT_CORRUPT)", async () => {
    const dir = write(gpt2());
    writeFileSync(join(dir, "config.json"), "{ not json");
    await expect(loadModel(dir)).rejects.toMatchObject({ code: "CHECKPOINT_CORRUPT", message: expect.stringContaining("config.json") });
    rmSync(join(dir, "config.json"));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("config.json") });
  });

  it("refuses a config setting the engine does not implement instead of computing something else", async () => {
    const m = tinyModels().find((x) => x.name === "llama (untied)")!;
    m.config = { ...m.config, rope_scaling: { rope_type: "yarn", factor: 4 } };
    await expect(loadModel(write(m))).rejects.toMatchObject({ code: "UNSUPPORTED_ARCH", message: expect.stringContaining("rope_scaling") });
  });

  it("refuses weights larger than the backend's memory limit before reading a tensor, naming the sizes (INVALID_ARGUMENT)", async () => {
    // On wasm the limit is the 4 GiB heap: loading TinyLlama-1.1B (4,196 MiB as float32) there aborted the process
    // ("RuntimeError: memory access out of bounds", bench/scale) instead of refusing.
    const dir = write(gpt2());
    const tensors = [...gpt2().weights.values()];
    const bytes = tensors.reduce((a, t) => a + 4 * t.data.length, 0);
    const refusal = { code: "INVALID_ARGUMENT", message: expect.stringMatching(/weights need .* MiB as float32 on the backend, beyond its .* MiB limit/) };
    await expect(loadModel(dir, { memoryLimitBytes: bytes - 1, weightsOnHost: false })).rejects.toMatchObject(refusal);
    const model = await loadModel(dir, { memoryLimitBytes: bytes, weightsOnHost: false });
    model.dispose();
    // With matrices and tables in host memory, only the vectors (norms, biases) count against the backend's limit.
    const vectorBytes = tensors.filter((t) => t.shape.length === 1).reduce((a, t) => a + 4 * t.data.length, 0);
    await expect(loadModel(dir, { memoryLimitBytes: vectorBytes - 1, weightsOnHost: true })).rejects.toMatchObject(refusal);
    const hosted = await loadModel(dir, { memoryLimitBytes: vectorBytes, weightsOnHost: true });
    expect(hosted.weightBytes).toBe(vectorBytes);
    expect(hosted.hostWeightBytes).toBe(bytes - vectorBytes);
    hosted.dispose();
  });
});
