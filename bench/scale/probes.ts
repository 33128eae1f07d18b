// Random σ-probes for every candidate of a model: the projected gradient pass costs the same whatever the probes are
// (it depends on the shapes only), so the scale benches need no SVD phase to time or size it.
import type { SigmaProbes } from "../../agent/linalg/sigma-projection.ts";
import type { LanguageModel } from "../../agent/models/types.ts";
import { mulberry32 } from "../../common/random.ts";

/** One K = 1 part per candidate with `pairs` random (u, v) pairs, seeded. */
export function randomProbes(model: LanguageModel, pairs = 20, seed = 5): Map<string, SigmaProbes[]> {
  const rand = mulberry32(seed);
  return new Map<string, SigmaProbes[]>(model.candidates.map((c) => {
    const u = Float32Array.from({ length: c.rows * pairs }, () => rand() - 0.5);
    const v = Float32Array.from({ length: c.cols * pairs }, () => rand() - 0.5);
    const part = { rows: Int32Array.from({ length: c.rows }, (_, i) => i), rowStart: 0, rank: pairs, count: pairs, column: 0, u };
    return [c.name, [{ rows: c.rows, cols: c.cols, width: pairs, v, parts: [part] }]];
  }));
}
