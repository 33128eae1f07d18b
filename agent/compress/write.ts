// Writes a checkpoint whose named matrices were replaced, keeping every tensor's name and dtype and the other files.
import { copyFileSync, mkdirSync, readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { openCheckpoint, writeCheckpoint, type TensorToWrite } from "../checkpoint/safetensors.ts";

/**
 * `stored` holds the replaced tensors in the checkpoint's stored layout (from `model.stateDict()`). Tensors
 * keep the input's names, order and dtypes; config, tokenizer and other non-safetensors files are copied.
 */
export function writeEditedCheckpoint(modelDir: string, outDir: string, stored: ReadonlyMap<string, Float32Array>): string[] {
  mkdirSync(outDir, { recursive: true });
  if (realpathSync(outDir) === realpathSync(modelDir)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `--out ${outDir} is the model directory itself; write the compressed checkpoint somewhere else`);
  }
  const ckpt = openCheckpoint(modelDir);
  const tensors: TensorToWrite[] = [];
  let metadata: Record<string, string>;
  try {
    if (ckpt.others().length > 0) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `${modelDir} holds non-float tensors (${ckpt.others().map((o) => o.name).slice(0, 3).join(", ")}); writing those back is not supported`);
    }
    for (const name of ckpt.names()) {
      const e = ckpt.entry(name);
      const data = stored.get(name) ?? ckpt.readF32(name);
      if (data.length !== e.shape.reduce((a, b) => a * b, 1)) {
        throw new C2iError(ErrorCode.SHAPE_MISMATCH, `replacement for ${name} has ${data.length} values, the checkpoint's shape is [${e.shape}]`);
      }
      tensors.push({ name, shape: [...e.shape], data, dtype: e.dtype });
    }
    metadata = { format: "pt", ...ckpt.metadata() };
    delete metadata.total_size;
  } finally {
    ckpt.close();
  }
  writeCheckpoint(outDir, tensors, { metadata });
  const files: string[] = [];
  for (const name of readdirSync(modelDir).sort()) {
    const from = join(modelDir, name);
    if (name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json") || !statSync(from).isFile()) continue;
    copyFileSync(from, join(outDir, name));
    files.push(name);
  }
  return [...readdirSync(outDir).filter((f) => f.includes("safetensors")), ...files].sort();
}
