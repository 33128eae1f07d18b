// Loads a Hugging Face checkpoint directory (config.json + safetensors) into a LanguageModel on the active backend.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { C2iError, ErrorCode } from "../../common/errors.ts";
import { silentLogger, type Logger } from "../../common/log.ts";
import * as tf from "@tensorflow/tfjs";
import type { StoredFloats } from "../checkpoint/dtype.ts";
import { openCheckpoint } from "../checkpoint/safetensors.ts";
import { isBlasBackendName } from "../compute/blas/storage.ts";
import { tensorMemoryLimit } from "../compute/memory.ts";
import { listCandidates } from "./candidates.ts";
import type { ArchDefinition, TensorSpec } from "./arch/types.ts";
import { architectureFor } from "./registry.ts";
import { TransformerModel } from "./transformer.ts";
import { WeightStore } from "./weights.ts";

export interface LoadModelOptions {
  /** Receives one line per loaded model. @default silent */
  logger?: Logger;
  /**
   * The most bytes the backend can hold: weights (as float32) beyond it are refused before any is read.
   * @default the active backend's limit (agent/compute/memory.ts: the wasm heap's 4 GiB; none on other backends)
   */
  memoryLimitBytes?: number;
  /**
   * Keep matrices and embedding tables in host memory in their stored dtype (./host-matrix.ts), off the backend.
   * @default true on the wasm and cpu backends (their matMuls read host memory in place), false on others (GPU)
   */
  weightsOnHost?: boolean;
}

/**
 * Refuses a model whose float32 weights alone exceed the backend's limit: on wasm, allocating past the heap
 * aborts the whole process ("memory access out of bounds") instead of failing one allocation.
 */
function checkWeightsFit(tensors: readonly { shape: number[] }[], limit: number | undefined, dir: string, onHost: boolean): void {
  if (limit === undefined) return;
  const onBackend = onHost ? tensors.filter((t) => t.shape.length !== 2) : tensors;
  const bytes = onBackend.reduce((a, t) => a + 4 * t.shape.reduce((p, d) => p * d, 1), 0);
  if (bytes <= limit) return;
  const mib = (b: number) => `${Math.round(b / 2 ** 20).toLocaleString("en-US")} MiB`;
  throw new C2iError(
    ErrorCode.INVALID_ARGUMENT,
    `${dir}: the model's weights need ${mib(bytes)} as float32 on the backend, beyond its ${mib(limit)} limit (weights ` +
      `held on the backend are float32 whatever their stored dtype): use a smaller model, or keep the weights in host memory (the default on wasm and cpu)`,
  );
}

/** `dir`/config.json as an object: NOT_FOUND when absent, CHECKPOINT_CORRUPT when not a JSON object. */
export function readConfig(dir: string): Record<string, unknown> {
  const file = join(dir, "config.json");
  if (!existsSync(file)) {
    throw new C2iError(ErrorCode.NOT_FOUND, `${file} does not exist; a model directory needs config.json next to its *.safetensors`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file} is not valid JSON (${(e as Error).message}); re-download the model`, { cause: e });
  }
  if (raw == null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new C2iError(ErrorCode.CHECKPOINT_CORRUPT, `${file} must hold a JSON object`);
  }
  return raw as Record<string, unknown>;
}

/** Whether models keep their matrices in host memory by default on the tfjs backend named `backend`: wasm and cpu. */
export function weightsOnHostFor(backend: string): boolean {
  return isBlasBackendName(backend);
}

/** Every tensor the architecture reads is in the checkpoint with the shape config.json implies; else names the first that is not. */
export function checkTensors(def: ArchDefinition, tensors: readonly TensorSpec[], names: ReadonlySet<string>, shapeOf: (name: string) => number[], dir: string): void {
  for (const spec of tensors) {
    if (!names.has(spec.name)) {
      throw new C2iError(
        ErrorCode.CHECKPOINT_MISSING_TENSOR,
        `${dir}: tensor "${spec.name}" (needed by ${def.id}, shape [${spec.shape}]) is missing from the checkpoint; is config.json from the same model?`,
      );
    }
    const found = shapeOf(spec.name);
    if (found.join() !== spec.shape.join()) {
      throw new C2iError(
        ErrorCode.SHAPE_MISMATCH,
        `${dir}: tensor "${spec.name}" has shape [${found}], expected [${spec.shape}] from config.json; the config and weights disagree`,
      );
    }
  }
}

/** Where tensors come from: a safetensors checkpoint, or memory (converters, benchmarks). */
export interface TensorSource {
  names(): string[];
  /** Stored shape of a tensor the source has. */
  shape(name: string): number[];
  readF32(name: string): Float32Array;
  /** The tensor in its stored dtype (checkpoints); sources without it are read as float32. */
  readStored?(name: string): StoredFloats;
}

/** Reads config.json, picks the architecture by model_type, checks every tensor's presence and shape, loads. */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<TransformerModel> {
  const raw = readConfig(dir);
  const checkpoint = openCheckpoint(dir);
  try {
    const source: TensorSource = {
      names: () => checkpoint.names(),
      shape: (name) => checkpoint.entry(name).shape,
      readF32: (name) => checkpoint.readF32(name),
      readStored: (name) => checkpoint.readStored(name),
    };
    return createModel(raw, source, { ...options, label: dir, configFile: join(dir, "config.json") });
  } finally {
    checkpoint.close();
  }
}

/**
 * Builds a model from a parsed config.json and a tensor source on the active backend. `label` names
 * the model in errors and logs.
 */
export function createModel(
  raw: Record<string, unknown>,
  source: TensorSource,
  options: LoadModelOptions & { label: string; configFile?: string },
): TransformerModel {
  const logger = options.logger ?? silentLogger();
  const dir = options.label;
  const configFile = options.configFile ?? `${dir} config`;
  const def = architectureFor(raw["model_type"], configFile);
  const onHost = options.weightsOnHost ?? weightsOnHostFor(tf.getBackend());
  const weights = new WeightStore({ host: onHost });
  try {
    const names = new Set(source.names());
    const arch = def.parse(raw, names, configFile);
    const wanted = new Set(arch.tensors.map((t) => t.name));
    checkTensors(def, arch.tensors, names, (name) => source.shape(name), dir);
    checkWeightsFit(arch.tensors, options.memoryLimitBytes ?? tensorMemoryLimit(), dir, onHost);
    for (const spec of arch.tensors) weights.add(spec, source.readStored?.(spec.name) ?? { dtype: "F32", data: source.readF32(spec.name) });
    const passthrough = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const name of names) {
      if (!wanted.has(name)) passthrough.set(name, { shape: source.shape(name), data: source.readF32(name) });
    }
    const candidates = listCandidates(def.id, arch.prefix, arch.config.numLayers, arch.tensors);
    logger.info(
      { model: dir, modelType: arch.config.modelType, layers: arch.config.numLayers, hidden: arch.config.hiddenSize, candidates: candidates.length, unread: passthrough.size },
      `loaded ${arch.config.modelType} model from ${dir}`,
    );
    return new TransformerModel(arch, weights, candidates, passthrough, dir);
  } catch (e) {
    weights.dispose();
    throw e;
  }
}
