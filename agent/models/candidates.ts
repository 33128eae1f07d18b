// THE candidate table: which matrices of each architecture the method searches, named as in the checkpoint.
import { MatrixKind, type MatrixInfo } from "./types.ts";
import { outIn } from "./layout.ts";
import type { TensorSpec } from "./arch/types.ts";

export interface CandidateEntry {
  kind: MatrixKind;
  /** Tensor name after the checkpoint's prefix; `{i}` is the layer index. */
  tensor: string;
}

/** Per architecture id, per layer, in this order: attention (q, k, v or fused qkv, o), then MLP (in, gate, out). */
export const CANDIDATE_TABLE = {
  gpt2: [
    { kind: MatrixKind.qkv, tensor: "h.{i}.attn.c_attn.weight" },
    { kind: MatrixKind.o, tensor: "h.{i}.attn.c_proj.weight" },
    { kind: MatrixKind.mlpIn, tensor: "h.{i}.mlp.c_fc.weight" },
    { kind: MatrixKind.mlpOut, tensor: "h.{i}.mlp.c_proj.weight" },
  ],
  gptj: [
    { kind: MatrixKind.q, tensor: "h.{i}.attn.q_proj.weight" },
    { kind: MatrixKind.k, tensor: "h.{i}.attn.k_proj.weight" },
    { kind: MatrixKind.v, tensor: "h.{i}.attn.v_proj.weight" },
    { kind: MatrixKind.o, tensor: "h.{i}.attn.out_proj.weight" },
    { kind: MatrixKind.mlpIn, tensor: "h.{i}.mlp.fc_in.weight" },
    { kind: MatrixKind.mlpOut, tensor: "h.{i}.mlp.fc_out.weight" },
  ],
  gpt_neox: [
    { kind: MatrixKind.qkv, tensor: "layers.{i}.attention.query_key_value.weight" },
    { kind: MatrixKind.o, tensor: "layers.{i}.attention.dense.weight" },
    { kind: MatrixKind.mlpIn, tensor: "layers.{i}.mlp.dense_h_to_4h.weight" },
    { kind: MatrixKind.mlpOut, tensor: "layers.{i}.mlp.dense_4h_to_h.weight" },
  ],
  llama: [
    { kind: MatrixKind.q, tensor: "layers.{i}.self_attn.q_proj.weight" },
    { kind: MatrixKind.k, tensor: "layers.{i}.self_attn.k_proj.weight" },
    { kind: MatrixKind.v, tensor: "layers.{i}.self_attn.v_proj.weight" },
    { kind: MatrixKind.o, tensor: "layers.{i}.self_attn.o_proj.weight" },
    { kind: MatrixKind.mlpIn, tensor: "layers.{i}.mlp.up_proj.weight" },
    { kind: MatrixKind.mlpGate, tensor: "layers.{i}.mlp.gate_proj.weight" },
    { kind: MatrixKind.mlpOut, tensor: "layers.{i}.mlp.down_proj.weight" },
  ],
  bert: [
    { kind: MatrixKind.q, tensor: "encoder.layer.{i}.attention.self.query.weight" },
    { kind: MatrixKind.k, tensor: "encoder.layer.{i}.attention.self.key.weight" },
    { kind: MatrixKind.v, tensor: "encoder.layer.{i}.attention.self.value.weight" },
    { kind: MatrixKind.o, tensor: "encoder.layer.{i}.attention.output.dense.weight" },
    { kind: MatrixKind.mlpIn, tensor: "encoder.layer.{i}.intermediate.dense.weight" },
    { kind: MatrixKind.mlpOut, tensor: "encoder.layer.{i}.output.dense.weight" },
  ],
} as const satisfies Record<string, readonly CandidateEntry[]>;

export type ArchId = keyof typeof CANDIDATE_TABLE;

/** Full checkpoint name of a table entry for one layer. */
export function candidateName(prefix: string, entry: CandidateEntry, layer: number): string {
  return prefix + entry.tensor.replace("{i}", String(layer));
}

/** The candidate list of a parsed checkpoint, in (layer, table) order, with [out, in] sizes. */
export function listCandidates(arch: ArchId, prefix: string, numLayers: number, specs: readonly TensorSpec[]): MatrixInfo[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: MatrixInfo[] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    for (const entry of CANDIDATE_TABLE[arch]) {
      const name = candidateName(prefix, entry, layer);
      const spec = byName.get(name);
      if (spec == null) throw new Error(`candidate table names ${name}, which the ${arch} tensor list lacks`);
      const [rows, cols] = outIn(spec.layout, spec.shape);
      out.push({ name, layer, kind: entry.kind, rows, cols });
    }
  }
  return out;
}
