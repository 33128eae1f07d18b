// The _FusedMatMul epilogue (bias add, then activation) applied in place on the GEMM output, with broadcasting.
import { C2iError, ErrorCode } from "../../../common/errors.ts";

/** The activations tfjs fuses into matMul (tfjs-core `Activation`). */
export const FUSED_ACTIVATIONS = ["linear", "relu", "relu6", "elu", "prelu", "leakyrelu", "sigmoid"] as const;
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

export function isFusedActivation(name: unknown): name is FusedActivation {
  return (FUSED_ACTIVATIONS as readonly unknown[]).includes(name);
}

export interface BroadcastOperand {
  values: Float32Array;
  shape: readonly number[];
}

export interface EpilogueSpec {
  bias?: BroadcastOperand;
  /** @default "linear" */
  activation?: FusedActivation;
  /** prelu's per-element slopes, broadcast like the bias. */
  preluWeights?: BroadcastOperand;
  /** leakyrelu's slope. @default 0.2 (tfjs' default) */
  leakyreluAlpha?: number;
}

/** Row view of an operand broadcast to `outShape`: start offset of each output row, and 0/1 stride along it. */
interface RowMap {
  rowOffsets: Int32Array;
  colStride: number;
}

function rowMap(outShape: readonly number[], shape: readonly number[], what: string): RowMap {
  const rank = outShape.length;
  if (shape.length > rank || shape.some((d, i) => d !== 1 && d !== outShape[rank - shape.length + i])) {
    throw new C2iError(
      ErrorCode.SHAPE_MISMATCH,
      `fused matMul ${what} of shape [${shape}] does not broadcast to the output shape [${outShape}]`,
    );
  }
  const dim = (i: number): number => shape[shape.length - rank + i] ?? 1;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = dim(i) === 1 ? 0 : stride;
    stride *= dim(i);
  }
  const n = outShape[rank - 1];
  const rows = n === 0 ? 0 : outShape.reduce((p, d) => p * d, 1) / n;
  const rowOffsets = new Int32Array(rows);
  const index = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let offset = 0;
    for (let i = 0; i < rank - 1; i++) offset += index[i] * strides[i];
    rowOffsets[r] = offset;
    for (let i = rank - 2; i >= 0; i--) {
      if (++index[i] < outShape[i]) break;
      index[i] = 0;
    }
  }
  return { rowOffsets, colStride: strides[rank - 1] };
}

/** out ← activation(out + bias), elementwise with the same formulas as tfjs' cpu kernels. */
export function applyEpilogue(out: Float32Array, outShape: readonly number[], spec: EpilogueSpec): void {
  const activation = spec.activation ?? "linear";
  if (!isFusedActivation(activation)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `fused matMul activation "${String(activation)}" is not one of ${FUSED_ACTIVATIONS.join(", ")}`);
  }
  const n = outShape[outShape.length - 1];
  if (out.length === 0 || (!spec.bias && activation === "linear")) return;
  if (activation === "prelu" && !spec.preluWeights) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, "fused matMul with activation prelu needs preluActivationWeights");
  }
  const bias = spec.bias ? rowMap(outShape, spec.bias.shape, "bias") : undefined;
  const biasValues = spec.bias?.values;
  const prelu = activation === "prelu" ? rowMap(outShape, spec.preluWeights!.shape, "prelu weights") : undefined;
  const preluValues = spec.preluWeights?.values;
  const alpha = spec.leakyreluAlpha ?? 0.2;
  const rows = out.length / n;
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    if (bias && biasValues) {
      const off = bias.rowOffsets[r];
      const s = bias.colStride;
      for (let j = 0; j < n; j++) out[base + j] += biasValues[off + j * s];
    }
    switch (activation) {
      case "linear":
        break;
      case "relu":
        for (let j = base; j < base + n; j++) if (out[j] < 0) out[j] = 0;
        break;
      case "relu6":
        for (let j = base; j < base + n; j++) out[j] = Math.min(Math.max(out[j], 0), 6);
        break;
      case "elu":
        for (let j = base; j < base + n; j++) if (out[j] < 0) out[j] = Math.exp(out[j]) - 1;
        break;
      case "leakyrelu":
        for (let j = base; j < base + n; j++) if (out[j] < 0) out[j] *= alpha;
        break;
      case "sigmoid":
        for (let j = base; j < base + n; j++) out[j] = 1 / (1 + Math.exp(-out[j]));
        break;
      case "prelu": {
        const off = prelu!.rowOffsets[r];
        const s = prelu!.colStride;
        for (let j = 0; j < n; j++) if (out[base + j] < 0) out[base + j] *= preluValues![off + j * s];
        break;
      }
    }
  }
}
