// The fused attention op: softmax(scale·q·kᵀ + bias)·v in one kernel call, reading q, k, v where the projections left them.
import * as tf from "@tensorflow/tfjs";
import type { GradConfig, NamedAttrMap, NamedTensorMap, Tensor } from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL } from "./kernels.ts";
import { checkLayout, packLayout, type OperandLayout } from "./layout.ts";

export interface FusedAttentionArgs {
  /** The distinct tensors q, k and v are read from (one fused projection, or up to three). */
  sources: tf.Tensor[];
  q: OperandLayout;
  k: OperandLayout;
  v: OperandLayout;
  /** Additive bias [B or 1, 1, T, T] (the attention mask). No gradient flows into it. */
  bias: tf.Tensor4D;
  batch: number;
  length: number;
  numHeads: number;
  /** Query head h reads key/value head ⌊h / (numHeads / numKvHeads)⌋. */
  numKvHeads: number;
  headDim: number;
  /** @default 1 / √headDim */
  scale?: number;
}

/** Whether this process's active tfjs backend has the fused kernel (OpenBLAS loaded, cpu or wasm). */
export function fusedAttentionAvailable(): boolean {
  return tf.getKernel(ATTENTION_KERNEL, tf.getBackend()) !== undefined;
}

/** Runs the fused kernel; returns the context as [B·T, numHeads·headDim], what the output projection consumes. */
export function fusedAttention(args: FusedAttentionArgs): tf.Tensor2D {
  const { sources, bias, batch, length, numHeads, numKvHeads, headDim } = args;
  check(args);
  const attrs: NamedAttrMap = {
    batch,
    length,
    numHeads,
    numKvHeads,
    headDim,
    scale: args.scale ?? 1 / Math.sqrt(headDim),
    q: packLayout(args.q),
    k: packLayout(args.k),
    v: packLayout(args.v),
  };
  const inputs = [...sources, bias] as unknown as NamedTensorMap;
  const [out, probs] = tf.engine().runKernel(ATTENTION_KERNEL, inputs, attrs) as Tensor[];
  // The tape keeps its own reference to the probabilities when gradients are being recorded.
  probs!.dispose();
  return out as tf.Tensor2D;
}

function check(args: FusedAttentionArgs): void {
  const { sources, bias, batch, length, numHeads, numKvHeads, headDim } = args;
  const dims = { batch, length, numHeads, numKvHeads, headDim };
  for (const [name, n] of Object.entries(dims)) {
    if (!Number.isInteger(n) || n < 1) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `fused attention: ${name} must be a positive integer, got ${n}`);
    }
  }
  if (numHeads % numKvHeads !== 0) {
    throw new C2iError(ErrorCode.SHAPE_MISMATCH, `fused attention: ${numHeads} query heads are not a multiple of ${numKvHeads} kv heads`);
  }
  if (sources.length < 1 || sources.length > 3) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `fused attention takes 1 to 3 source tensors, got ${sources.length}`);
  }
  for (const t of [...sources, bias]) {
    if (t.dtype !== "float32") {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `fused attention: inputs must be float32, got a ${t.dtype} tensor of shape [${t.shape}]`);
    }
  }
  const [bb, one, bt, bs] = bias.shape;
  if (bias.rank !== 4 || (bb !== 1 && bb !== batch) || one !== 1 || bt !== length || bs !== length) {
    throw new C2iError(ErrorCode.SHAPE_MISMATCH, `fused attention: bias must be [${batch} or 1, 1, ${length}, ${length}], got [${bias.shape}]`);
  }
  const operands = [["q", args.q, numHeads], ["k", args.k, numKvHeads], ["v", args.v, numKvHeads]] as const;
  for (const [name, layout, heads] of operands) {
    const source = sources[layout.source];
    if (source === undefined) {
      throw new C2iError(ErrorCode.INVALID_ARGUMENT, `fused attention: ${name} reads source ${layout.source} of ${sources.length}`);
    }
    checkLayout(name, layout, source.size, batch, heads, length, headDim);
  }
}

/**
 * dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale·dS·K, dK = scale·dSᵀ·Q, all in one
 * kernel call that fills one gradient per source. It runs eagerly when the tape reaches this node: tfjs
 * asks for each input's gradient separately, and the backward scope disposes any it does not take.
 */
export const attentionGradConfig: GradConfig = {
  kernelName: ATTENTION_KERNEL,
  saveAllInputs: true,
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys)!;
    const probs = saved[saved.length - 1]!;
    const sources = saved.slice(0, -2);
    const bias = saved[saved.length - 2]!;
    const result = tf.engine().runKernel(ATTENTION_GRAD_KERNEL, [dy, probs, ...sources] as unknown as NamedTensorMap, attrs);
    const grads = Array.isArray(result) ? result : [result];
    const map: Record<string, () => Tensor> = {};
    grads.forEach((g, i) => (map[i] = () => g));
    map[sources.length] = () => tf.zerosLike(bias);
    return map;
  },
};
