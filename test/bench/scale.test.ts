// The scale bench's shapes: the real configs' parameter counts, and tensors the engine's architectures ask for.
import { describe, expect, it } from "vitest";
import { architectureFor } from "../../agent/models/registry.ts";
import { LLAMA32_NO_SCALING, SHAPES, layerTensors, outerTensors, parameterCount, type ScaleShape } from "../../bench/scale/shapes.ts";

/** The counts the model cards and papers round to. */
const PUBLISHED = { "gpt2-small": "124M", "gpt2-medium": "355M", "gpt2-large": "774M", tinyllama: "1.1B", "llama3.2-1b": "1.24B" } as const;

function rounded(n: number, like: string): string {
  if (like.endsWith("M")) return `${Math.round(n / 1e6)}M`;
  const digits = like.length - 3; // "1.1B" → 1, "1.24B" → 2
  return `${(n / 1e9).toFixed(digits)}B`;
}

function checkpointTensors(s: ScaleShape): Map<string, number> {
  const all = [...outerTensors(s), ...Array.from({ length: s.layers }, (_, i) => layerTensors(s, i)).flat()];
  return new Map(all.map((t) => [t.name, t.shape.reduce((a, b) => a * b, 1)]));
}

describe("scale bench shapes", () => {
  it.each(SHAPES.map((s) => [s.id, s] as const))("%s has the published parameter count", (id, s) => {
    expect(parameterCount(s)).toBe(s.published);
    expect(rounded(parameterCount(s), PUBLISHED[id as keyof typeof PUBLISHED])).toBe(PUBLISHED[id as keyof typeof PUBLISHED]);
  });

  it.each([...SHAPES, LLAMA32_NO_SCALING].map((s) => [s.id, s] as const))(
    "%s writes exactly the tensors the engine's architecture reads",
    (_, s) => {
      const written = checkpointTensors(s);
      const arch = architectureFor(s.config.model_type, s.id).parse(s.config, new Set(written.keys()), s.id);
      expect(new Map(arch.tensors.map((t) => [t.name, t.shape.reduce((a, b) => a * b, 1)]))).toEqual(written);
    },
  );
});
