// A model's memory plan from its config.json and checkpoint header alone (no tensor is read), with the engine's numbers:
// the weights as ./load.ts would hold them, ./host-matrix.ts's widening steps, and agent/tasks/memory.ts's activations.
import { join } from "node:path";
import { DEFAULT_FACTOR_CACHE_BYTES, type MemoryPlan } from "../../common/memory-plan.ts";
import { DEFAULT_BATCHING } from "../../common/shards.ts";
import type { Dtype } from "../checkpoint/dtype.ts";
import { openCheckpoint } from "../checkpoint/safetensors.ts";
import { memoryLimitOf } from "../compute/memory.ts";
import { gradientBytesPerToken, gradientPlanOf, plannedGradientRows } from "../tasks/memory.ts";
import type { TensorSpec } from "./arch/types.ts";
import { listCandidates } from "./candidates.ts";
import { widenRowsPerStep } from "./host-matrix.ts";
import { checkTensors, readConfig, weightsOnHostFor } from "./load.ts";
import { architectureFor } from "./registry.ts";

/** Tokens per sequence a plan assumes unless told: prompts of the bundled tasks are shorter. */
export const PLAN_TOKENS = 48;

/** What computes, as far as memory goes. */
export interface MemoryPlanEngine {
  /** tfjs backend name: "wasm", "cpu" or "tensorflow". */
  backend: string;
  /** Matrices and tables stay in host memory (./load.ts `weightsOnHostFor`). */
  weightsOnHost: boolean;
  /** The BLAS host kernel multiplies by host matrices in place (agent/compute/blas/host-matmul.ts `hostKernelActive`). */
  hostKernel: boolean;
  /** The backend's hard limit (agent/compute/memory.ts); undefined when it has none. */
  memoryLimitBytes: number | undefined;
}

/** The engine on the tfjs backend `backend` with the BLAS kernels on or off, as an agent reports it. */
export function planEngine(backend: string, blas: boolean): MemoryPlanEngine {
  const weightsOnHost = weightsOnHostFor(backend);
  return { backend, weightsOnHost, hostKernel: weightsOnHost && blas, memoryLimitBytes: memoryLimitOf(backend) };
}

export interface MemoryPlanOptions {
  engine: MemoryPlanEngine;
  /** Bound on the layer cache's hidden states (agent/work/executor-options.ts `layerCacheBytes`). */
  layerCacheBytes: number;
  /** Bound on the model's SVD factor cache (executor-options.ts `factorCacheBytes`). @default DEFAULT_FACTOR_CACHE_BYTES (1 GiB) */
  factorCacheBytes?: number;
  /** Sequences per gradient micro-batch asked for: the job's batchSize. @default DEFAULT_BATCHING.batchSize (16) */
  rows?: number;
  /** Tokens per sequence. @default PLAN_TOKENS (48) */
  tokens?: number;
  /** The job's cap on tokens (`task.maxTokens`); the model's context caps them too. @default none */
  maxTokens?: number;
}

/** A checkpoint tensor as its header describes it. */
export interface StoredTensorInfo {
  dtype: Dtype;
  shape: number[];
}

/**
 * The plan of the model `raw` (config.json) over the tensors `stored` (the checkpoint header), refused as loading
 * would refuse it (unknown architecture, missing tensor, wrong shape). Pure. `label` names the model.
 */
export function planMemory(raw: Record<string, unknown>, stored: ReadonlyMap<string, StoredTensorInfo>, options: MemoryPlanOptions & { label: string; configFile?: string }): MemoryPlan {
  const { engine, label } = options;
  const configFile = options.configFile ?? `${label} config`;
  const def = architectureFor(raw["model_type"], configFile);
  const arch = def.parse(raw, new Set(stored.keys()), configFile);
  checkTensors(def, arch.tensors, new Set(stored.keys()), (name) => stored.get(name)!.shape, label);
  const { config } = arch;
  const size = (t: TensorSpec) => t.shape.reduce((p, d) => p * d, 1);
  const matrices = arch.tensors.filter((t) => t.shape.length === 2);
  const onBackend = engine.weightsOnHost ? arch.tensors.filter((t) => t.shape.length !== 2) : arch.tensors;
  const backendWeightBytes = onBackend.reduce((a, t) => a + 4 * size(t), 0);
  const hostWeightBytes = engine.weightsOnHost ? matrices.reduce((a, t) => a + storedBytes(stored.get(t.name)!.dtype) * size(t), 0) : 0;
  const rows = options.rows ?? DEFAULT_BATCHING.batchSize;
  const tokens = Math.min(options.tokens ?? PLAN_TOKENS, options.maxTokens ?? Infinity, config.maxPositions);
  const hostSums = engine.weightsOnHost && engine.hostKernel;
  const candidates = listCandidates(def.id, arch.prefix, config.numLayers, arch.tensors);
  const pass = gradientPlanOf({ config, backendWeightBytes, candidates, hostSums });
  const plannedRows = plannedGradientRows(config, tokens, rows, engine.memoryLimitBytes, pass);
  const activationBytes = plannedRows * tokens * gradientBytesPerToken(config, tokens);
  const gradientSumBytes = hostSums ? 0 : pass.passBytes;
  const widenScratchBytes = widenScratch(matrices.map((t) => ({ dtype: stored.get(t.name)!.dtype, rows: t.shape[0]!, cols: t.shape[1]! })), engine);
  // The cache's bound, or less when every candidate's factors at METHOD.md's K ∈ {1, 2, 4, 8} fit below it (small models).
  const allFactors = candidates.reduce((a, c) => a + [1, 2, 4, 8].reduce((b, k) => b + factorBytesAt(c.rows, c.cols, k), 0), 0);
  const factorCacheBytes = Math.min(options.factorCacheBytes ?? DEFAULT_FACTOR_CACHE_BYTES, allFactors);
  const parts = hostWeightBytes + backendWeightBytes + widenScratchBytes + gradientSumBytes + activationBytes + factorCacheBytes + options.layerCacheBytes;
  return {
    model: label,
    backend: engine.backend,
    weightsOnHost: engine.weightsOnHost,
    matrixDtypes: [...new Set(matrices.map((t) => stored.get(t.name)!.dtype))].sort(),
    hostWeightBytes,
    backendWeightBytes,
    widenScratchBytes,
    gradientSumBytes,
    microBatch: { rows, plannedRows, tokens },
    activationBytes,
    factorCacheBytes,
    layerCacheBytes: options.layerCacheBytes,
    totalBytes: parts,
  };
}

/** Float64 U, σ and Vᵀ of a rows × cols matrix in K row blocks (each block of r = min(block rows, cols)). */
function factorBytesAt(rows: number, cols: number, blocks: number): number {
  let bytes = 0;
  for (let b = 0; b < blocks; b++) {
    const p = Math.floor(rows / blocks) + (b < rows % blocks ? 1 : 0);
    const r = Math.min(p, cols);
    bytes += 8 * (p * r + r + r * cols);
  }
  return bytes;
}

function storedBytes(dtype: Dtype): number {
  return dtype === "F32" ? 4 : 2;
}

/**
 * The host kernel widens a 16-bit matrix `widenRowsPerStep(cols)` stored rows at a time (F32 matrices are read in
 * place): BF16 in a WebAssembly memory that holds the step's 16-bit input and float32 output (6 bytes a value,
 * agent/checkpoint/bf16-widen.ts), F16 into a float32 scratch; each grows to its largest step. Without the kernel
 * (BLAS off) every product copies its matrix whole as float32, once in JavaScript and once onto the backend
 * (agent/compute/blas/host-matmul.ts hostMatMul).
 */
function widenScratch(matrices: readonly { dtype: Dtype; rows: number; cols: number }[], engine: MemoryPlanEngine): number {
  if (!engine.weightsOnHost) return 0;
  if (!engine.hostKernel) return 8 * Math.max(0, ...matrices.map((m) => m.rows * m.cols));
  const largestStep = (dtype: Dtype) =>
    Math.max(0, ...matrices.filter((m) => m.dtype === dtype).map((m) => Math.min(m.rows, widenRowsPerStep(m.cols)) * m.cols));
  return 6 * largestStep("BF16") + 4 * largestStep("F16");
}

/** The plan of the checkpoint directory `dir`: reads config.json and the safetensors header(s), never a tensor. */
export function readMemoryPlan(dir: string, options: MemoryPlanOptions): MemoryPlan {
  const raw = readConfig(dir);
  const checkpoint = openCheckpoint(dir);
  try {
    const stored = new Map(checkpoint.names().map((name) => {
      const e = checkpoint.entry(name);
      return [name, { dtype: e.dtype, shape: e.shape }] as const;
    }));
    return planMemory(raw, stored, { ...options, label: dir, configFile: join(dir, "config.json") });
  } finally {
    checkpoint.close();
  }
}
