// A GPT-2-small-shaped model with random weights, built in memory (no checkpoint file) for the engine bench.
import { createModel, type TensorSource } from "../../agent/models/load.ts";
import type { TransformerModel } from "../../agent/models/transformer.ts";

export interface Gpt2Shape {
  layers: number;
  hidden: number;
  heads: number;
  vocab: number;
  positions: number;
}

/** @default GPT-2 small: 12 layers, d = 768, 12 heads, vocabulary 50257, 1024 positions */
export const GPT2_SMALL: Gpt2Shape = { layers: 12, hidden: 768, heads: 12, vocab: 50257, positions: 1024 };

function shapes(s: Gpt2Shape): Map<string, number[]> {
  const d = s.hidden;
  const out = new Map<string, number[]>([
    ["transformer.wte.weight", [s.vocab, d]],
    ["transformer.wpe.weight", [s.positions, d]],
    ["transformer.ln_f.weight", [d]],
    ["transformer.ln_f.bias", [d]],
  ]);
  for (let i = 0; i < s.layers; i++) {
    const p = `transformer.h.${i}.`;
    for (const [n, sh] of [
      ["ln_1.weight", [d]], ["ln_1.bias", [d]], ["ln_2.weight", [d]], ["ln_2.bias", [d]],
      ["attn.c_attn.weight", [d, 3 * d]], ["attn.c_attn.bias", [3 * d]],
      ["attn.c_proj.weight", [d, d]], ["attn.c_proj.bias", [d]],
      ["mlp.c_fc.weight", [d, 4 * d]], ["mlp.c_fc.bias", [4 * d]],
      ["mlp.c_proj.weight", [4 * d, d]], ["mlp.c_proj.bias", [d]],
    ] as const) out.set(p + n, [...sh]);
  }
  return out;
}

/** Random weights (GPT-2's init scale 0.02; norms at 1) from a fixed seed. */
export function randomGpt2(shape: Gpt2Shape = GPT2_SMALL, seed = 1): TransformerModel {
  const all = shapes(shape);
  let state = seed >>> 0;
  const source: TensorSource = {
    names: () => [...all.keys()],
    shape: (name) => all.get(name)!,
    readF32(name) {
      const sh = all.get(name)!;
      const data = new Float32Array(sh.reduce((a, b) => a * b, 1));
      if (name.includes("ln_") && name.endsWith(".weight")) return data.fill(1);
      if (name.endsWith(".bias")) return data;
      for (let i = 0; i < data.length; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        data[i] = (state / 4294967296 - 0.5) * 0.0693; // uniform with std 0.02
      }
      return data;
    },
  };
  const raw = { model_type: "gpt2", vocab_size: shape.vocab, n_embd: shape.hidden, n_layer: shape.layers, n_head: shape.heads, n_positions: shape.positions };
  return createModel(raw, source, { label: "random GPT-2-small-shaped model" });
}
