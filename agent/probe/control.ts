// Control tasks (Hewitt & Liang 2019): labels a probe can only learn by memorising inputs, never from linguistic structure.
import { mulberry32 } from "../../common/random.ts";

export const ControlKind = {
  /** each word type gets one label, drawn from the task's label distribution (the paper's control task) */
  type: "type",
  /** each sample gets a label drawn from the task's label distribution */
  random: "random",
} as const;
export type ControlKind = (typeof ControlKind)[keyof typeof ControlKind];

/** Control labels with the same label distribution as `labels`, seeded. */
export function controlLabels(labels: Int32Array, types: Int32Array, kind: ControlKind, seed: number): Int32Array {
  const random = mulberry32(seed);
  const draw = () => labels[Math.floor(random() * labels.length)]!;
  if (kind === ControlKind.random) return Int32Array.from(labels, () => draw());
  const byType = new Map<number, number>();
  // types in ascending order so the assignment does not depend on sample order
  for (const t of [...new Set(types)].sort((a, b) => a - b)) byType.set(t, draw());
  return Int32Array.from(types, (t) => byType.get(t)!);
}
