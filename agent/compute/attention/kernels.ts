// tfjs kernel functions for fused attention and its gradient: cblas_sgemm on strided views of the operands' own storage.
import * as tf from "@tensorflow/tfjs";
import type { KernelBackend, KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import { C2iError, ErrorCode } from "../../../common/errors.ts";
import type { OpenBlas } from "../blas/library.ts";
import type { PrepareBuffers, ViewStorage } from "../blas/storage.ts";
import { unpackLayout, type OperandLayout } from "./layout.ts";
import { softmaxBackwardRows } from "./softmax.ts";

/** Kernel names of the custom op (ours, so they never shadow a tfjs kernel). */
export const ATTENTION_KERNEL = "C2iAttention";
export const ATTENTION_GRAD_KERNEL = "C2iAttentionGrad";

/** Sizes and operand layouts, read once from the kernel attrs. */
export interface AttentionShape {
  batch: number;
  length: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  scale: number;
  q: OperandLayout;
  k: OperandLayout;
  v: OperandLayout;
}

export function readAttrs(attrs: NamedAttrMap | undefined): AttentionShape {
  const a = attrs ?? {};
  const num = (name: string) => a[name] as number;
  const layout = (name: string) => unpackLayout(a[name] as number[]);
  return {
    batch: num("batch"),
    length: num("length"),
    numHeads: num("numHeads"),
    numKvHeads: num("numKvHeads"),
    headDim: num("headDim"),
    scale: num("scale"),
    q: layout("q"),
    k: layout("k"),
    v: layout("v"),
  };
}

interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}

interface Buffers {
  outs: TensorInfo[];
  outViews: Float32Array[];
  inViews: Float32Array[];
}

/**
 * Allocates every output first, then views inputs and outputs: a wasm allocation may grow the heap and
 * detach earlier views, so views are taken only after the last one.
 */
function allocate(prepare: PrepareBuffers, backend: unknown, inputs: TensorInfo[], outShapes: number[][]): Buffers {
  const outs: TensorInfo[] = [];
  for (let i = 0; i < outShapes.length - 1; i++) outs.push(prepare(backend, [], outShapes[i]!).out);
  const last = prepare(backend, [...inputs, ...outs], outShapes[outShapes.length - 1]!);
  outs.push(last.out);
  const views = last.views;
  if (views.some((v) => v === undefined)) {
    for (const o of outs) (backend as KernelBackend).disposeData(o.dataId);
    throw new C2iError(
      ErrorCode.INTERNAL,
      `fused attention: an input's storage is not a float32 array on this backend (shapes ${inputs.map((t) => `[${t.shape}]`).join(", ")}); unregister the attention kernels to use the composite ops`,
    );
  }
  return {
    outs,
    inViews: views.slice(0, inputs.length) as Float32Array[],
    outViews: [...(views.slice(inputs.length) as Float32Array[]), last.outView],
  };
}

const inputList = (inputs: Record<string, TensorInfo | undefined>): TensorInfo[] => {
  const list: TensorInfo[] = [];
  for (let i = 0; inputs[i] !== undefined; i++) list.push(inputs[i]!);
  return list;
};

const at = (l: OperandLayout, b: number, h: number): number => l.offset + b * l.batchStride + h * l.headStride;

/**
 * Inputs [...sources, bias]; outputs [context [B·T, H·D], probabilities [B, H, T, T]]. Three phases: every
 * head's scores scale·q·kᵀ + mask (the mask copied in first, so the GEMM adds onto it with beta = 1); the
 * backend's own Softmax kernel over all of them at once (vectorised on wasm: ~4 ns per score, against ~18
 * for a JavaScript loop around Math.exp); then every head's P·v into the context.
 */
function forward(blas: OpenBlas, prepare: PrepareBuffers, view: ViewStorage, args: KernelArgs): TensorInfo[] {
  const s = readAttrs(args.attrs);
  const inputs = inputList(args.inputs);
  const bias = inputs[inputs.length - 1]!;
  const { batch: B, length: T, numHeads: H, headDim: D } = s;
  const groups = H / s.numKvHeads;
  const { outs, outViews, inViews } = allocate(prepare, args.backend, inputs, [[B * T, H * D], [B, H, T, T]]);
  const [context, scores] = outs as [TensorInfo, TensorInfo];
  const scoreView = outViews[1]!;
  const biasView = inViews[inViews.length - 1]!;
  const biasStride = bias.shape[0] === 1 ? 0 : T * T;
  for (let b = 0; b < B; b++) {
    const mask = biasView.subarray(b * biasStride, b * biasStride + T * T);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / groups);
      const p = scoreView.subarray((b * H + h) * T * T, (b * H + h + 1) * T * T);
      p.set(mask);
      blas.sgemm(false, true, T, T, D, s.scale, inViews[s.q.source]!.subarray(at(s.q, b, h)), s.q.tokenStride, inViews[s.k.source]!.subarray(at(s.k, b, g)), s.k.tokenStride, 1, p, T);
    }
  }
  const softmax = tf.getKernel(tf.Softmax, tf.getBackend());
  if (softmax == null) throw new C2iError(ErrorCode.INTERNAL, `fused attention: backend "${tf.getBackend()}" has no Softmax kernel`);
  const probs = softmax.kernelFunc({ inputs: { logits: scores }, backend: args.backend as KernelBackend, attrs: { dim: 3 } }) as TensorInfo;
  (args.backend as KernelBackend).disposeData(scores.dataId);
  // Views again: the Softmax output's allocation may have grown (and moved) the heap.
  const views = view(args.backend, [...inputs, context, probs]);
  const out = views[inputs.length]!;
  const probView = views[inputs.length + 1]!;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / groups);
      const p = probView.subarray((b * H + h) * T * T, (b * H + h + 1) * T * T);
      blas.sgemm(false, false, T, D, T, 1, p, T, views[s.v.source]!.subarray(at(s.v, b, g)), s.v.tokenStride, 0, out.subarray(b * T * H * D + h * D), H * D);
    }
  }
  return [context, probs];
}

/** Inputs [dContext, probabilities, ...sources]; outputs one gradient per source, same shape and layout. */
function backward(blas: OpenBlas, prepare: PrepareBuffers, args: KernelArgs): TensorInfo[] {
  const s = readAttrs(args.attrs);
  const inputs = inputList(args.inputs);
  const sources = inputs.slice(2);
  const { batch: B, length: T, numHeads: H, headDim: D } = s;
  const groups = H / s.numKvHeads;
  const { outs, outViews, inViews } = allocate(prepare, args.backend, inputs, sources.map((t) => [...t.shape]));
  // Gradients accumulate (beta = 1): over the query heads of a kv group, and over q/k/v sharing one source.
  for (const g of outViews) g.fill(0);
  const [dy, probs] = inViews as [Float32Array, Float32Array];
  const view = (l: OperandLayout) => inViews[2 + l.source]!;
  const grad = (l: OperandLayout) => outViews[l.source]!;
  const [qv, kv, vv] = [view(s.q), view(s.k), view(s.v)];
  const [dq, dk, dv] = [grad(s.q), grad(s.k), grad(s.v)];
  const dp = new Float32Array(T * T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / groups);
      const pOff = (b * H + h) * T * T;
      const p = probs.subarray(pOff, pOff + T * T);
      const dO = dy.subarray(b * T * H * D + h * D);
      const [qOff, kOff, vOff] = [at(s.q, b, h), at(s.k, b, g), at(s.v, b, g)];
      // dV += Pᵀ·dO; dP = dO·Vᵀ
      blas.sgemm(true, false, T, D, T, 1, p, T, dO, H * D, 1, dv.subarray(vOff), s.v.tokenStride);
      blas.sgemm(false, true, T, T, D, 1, dO, H * D, vv.subarray(vOff), s.v.tokenStride, 0, dp, T);
      softmaxBackwardRows(dp, probs, pOff, T);
      // dQ += scale·dS·K; dK += scale·dSᵀ·Q
      blas.sgemm(false, false, T, D, T, s.scale, dp, T, kv.subarray(kOff), s.k.tokenStride, 1, dq.subarray(qOff), s.q.tokenStride);
      blas.sgemm(true, false, T, D, T, s.scale, dp, T, qv.subarray(qOff), s.q.tokenStride, 1, dk.subarray(kOff), s.k.tokenStride);
    }
  }
  return outs;
}

export function attentionKernelFunc(blas: OpenBlas, prepare: PrepareBuffers, view: ViewStorage): KernelFunc {
  return ((args: KernelArgs) => forward(blas, prepare, view, args)) as unknown as KernelFunc;
}

export function attentionGradKernelFunc(blas: OpenBlas, prepare: PrepareBuffers): KernelFunc {
  return ((args: KernelArgs) => backward(blas, prepare, args)) as unknown as KernelFunc;
}
