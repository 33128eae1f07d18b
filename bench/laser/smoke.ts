// Tiny stand-ins of the bench's shapes for `--smoke`: the same model types, vocabularies and tokenizers, 2 layers × 64
// wide, so the whole bench runs end to end in about a minute and its numbers mean nothing.
import { parameterCount, shapeById, type ScaleShape } from "../scale/shapes.ts";

function tiny(id: string, overrides: Record<string, unknown>): ScaleShape {
  const base = shapeById(id);
  const shape: ScaleShape = { ...base, id: `smoke-${id}`, label: `smoke: ${id}'s vocabulary and tokenizer, 2 layers × 64`, layers: 2, config: { ...base.config, ...overrides } };
  return { ...shape, published: parameterCount(shape) };
}

export const SMOKE_SHAPES: readonly ScaleShape[] = [
  tiny("gpt2-small", { n_embd: 64, n_head: 4, n_layer: 2 }),
  tiny("tinyllama", { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 }),
];
