// How many sequences a gradient micro-batch may hold without exhausting a fixed memory limit (the 4 GiB wasm heap).
// Pure: the gradient pass (./run.ts) and the memory plan (agent/models/memory-plan.ts) compute the same numbers here.
import { C2iError, ErrorCode } from "../../common/errors.ts";
import type { ModelConfig } from "../models/types.ts";

/**
 * Peak memory a gradient pass adds per token of a micro-batch of sequences `length` tokens long.
 * Calibrated on GPT-2-small shapes (12 layers, 768 wide, 3072 MLP) on wasm + BLAS (`npx tsx bench/engine/heap.ts`
 * reproduces the peaks, bench/engine/latest.md): the heap's peak grew
 * 3.7 MiB per token (1739, 2451, 3847 MiB at 192, 384, 768 tokens of 48; 1949 and 2880 MiB at 256 and 512
 * tokens of 128; 3010 MiB at 512 of 256; 1024 tokens of 128 aborted). That is ~13 × the floats of one
 * layer's hidden and MLP activations (saved tensors, backward temporaries and allocator slack), plus three
 * copies of the attention scores. Llama's gated MLP (SwiGLU: gate, up and their product; the only gated
 * architecture, ../models/arch/llama.ts) counts 1.5× the MLP.
 */
export function gradientBytesPerToken(config: ModelConfig, length: number): number {
  const gated = config.modelType === "llama" ? 1.5 : 1;
  const perLayer = 13 * (4 * config.hiddenSize + gated * config.intermediateSize) + 3 * config.numHeads * length;
  return 4 * config.numLayers * perLayer;
}

export interface GradientMemory {
  /** The backend's limit (agent/compute/memory.ts). */
  limitBytes: number;
  /** Bytes held before the pass: the model's weights and whatever else is alive. */
  heldBytes: number;
  /** Bytes the pass keeps for its whole length: the gradient sums (and a head copy made on first use). */
  passBytes: number;
}

/** Share of the limit planned for: the heap grows in steps and needs slack to find large blocks. */
const USABLE = 0.95;

/**
 * Sequences of `length` tokens per gradient micro-batch that fit, at most `wanted`. Throws when not even
 * one fits, naming the sizes, instead of letting the allocation abort the process.
 */
export function gradientRowsThatFit(config: ModelConfig, length: number, wanted: number, memory: GradientMemory): number {
  const free = USABLE * memory.limitBytes - memory.heldBytes - memory.passBytes;
  const perRow = length * gradientBytesPerToken(config, length);
  const rows = Math.floor(free / perRow);
  if (rows < 1) {
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    throw new C2iError(
      ErrorCode.INVALID_ARGUMENT,
      `a gradient pass over one ${length}-token sequence needs ~${mib(perRow)} on top of ${mib(memory.heldBytes + memory.passBytes)} ` +
        `already needed, beyond the backend's ${mib(memory.limitBytes)} limit: use shorter prompts (maxTokens), fewer matrices, ` +
        `or an agent on tfjs-node(-gpu)`,
    );
  }
  return Math.min(wanted, rows);
}

/** Micro-batch rows a gradient pass plans for: `wanted` when the backend has no fixed limit, else what fits under it. */
export function plannedGradientRows(config: ModelConfig, length: number, wanted: number, limitBytes: number | undefined, plan: GradientPlanBytes): number {
  return limitBytes === undefined ? wanted : gradientRowsThatFit(config, length, wanted, { limitBytes, ...plan });
}

/** What a gradient pass plans to find on the backend besides its activations (GradientMemory without the limit). */
export type GradientPlanBytes = Omit<GradientMemory, "limitBytes">;

export interface GradientPlanInput {
  config: ModelConfig;
  /** Bytes the model's weights hold on the backend (float32; vectors only when the weights are in host memory). */
  backendWeightBytes: number;
  /** The candidate matrices, rows × cols each: a pass may keep a float32 sum for any of them. */
  candidates: readonly { rows: number; cols: number }[];
  /** Weights in host memory with the host kernel active: gradient sums are host arrays and no head copy is made. */
  hostSums: boolean;
}

/**
 * The model, and what the pass keeps: every candidate's sum and the head's transposed copy (made on first use, tied
 * or not, counted as if not made yet). With host sums the plan keeps the same room (at most HOST_CACHE_RESERVE_BYTES)
 * for the caches that share the heap (layer caches, another job's tensors), so that a model that fitted before cuts
 * its micro-batches as it did.
 */
export function gradientPlanOf(input: GradientPlanInput): GradientPlanBytes {
  const { config } = input;
  const sums = input.candidates.reduce((a, c) => a + 4 * c.rows * c.cols, 0);
  const head = 4 * config.vocabSize * config.hiddenSize;
  const passBytes = input.hostSums ? Math.min(sums + head, HOST_CACHE_RESERVE_BYTES) : sums + head;
  return { heldBytes: input.backendWeightBytes, passBytes };
}

/** Heap kept free of activations for caches when the weights are in host memory: a quarter of the wasm heap. */
export const HOST_CACHE_RESERVE_BYTES = 2 ** 30;
