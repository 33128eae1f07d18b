// Entries of an architecture's tensor list, one constructor per stored layout (see ../layout.ts).
import { StoredLayout } from "../layout.ts";
import type { TensorSpec } from "./types.ts";

/** A vector of n values read as stored (bias, norm weight). */
export function vec(name: string, n: number): TensorSpec {
  return { name, shape: [n], layout: StoredLayout.plain };
}

/** A table read as stored, [rows, cols] (embeddings). */
export function table(name: string, rows: number, cols: number): TensorSpec {
  return { name, shape: [rows, cols], layout: StoredLayout.plain };
}

/** A PyTorch nn.Linear weight, stored [out, in]. */
export function mat(name: string, out: number, inp: number): TensorSpec {
  return { name, shape: [out, inp], layout: StoredLayout.linear };
}

/** A Hugging Face Conv1D weight (GPT-2), stored [in, out]. */
export function conv1d(name: string, inp: number, out: number): TensorSpec {
  return { name, shape: [inp, out], layout: StoredLayout.conv1d };
}

/** A LayerNorm's `${name}.weight` and `${name}.bias`, n values each. */
export function layerNormSpecs(name: string, n: number): TensorSpec[] {
  return [vec(`${name}.weight`, n), vec(`${name}.bias`, n)];
}
