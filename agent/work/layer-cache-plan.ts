// Which layers' input states to keep when the memory bound allows only some: pure, so the choice is testable.

/**
 * `budget` states out of the useful ones (inputs of layers 1…L−1; layer 0's input is just the embedding).
 * All of them when they fit. Otherwise evenly spaced, j·L/(budget+1) for j = 1…budget: an edit of layer ℓ
 * starts from the deepest kept layer ≤ ℓ, and with edits spread over the layers even spacing minimises the
 * layers rerun in total (keeping only the deepest inputs would leave every shallow edit a full forward).
 */
export function chooseLayers(numLayers: number, budget: number): number[] {
  const useful = Math.max(0, numLayers - 1);
  const k = Math.max(0, Math.min(useful, Math.floor(budget)));
  if (k === useful) return Array.from({ length: useful }, (_, i) => i + 1);
  const out = new Set<number>();
  for (let j = 1; j <= k; j++) out.add(Math.min(useful, Math.max(1, Math.round((j * numLayers) / (k + 1)))));
  return [...out].sort((a, b) => a - b);
}

/** Layers a forward reruns for an edit of layer `edited` when `kept` inputs are cached (the full forward is `numLayers`). */
export function layersRerun(numLayers: number, kept: readonly number[], edited: number): number {
  let start = 0;
  for (const j of kept) if (j <= edited && j > start) start = j;
  return numLayers - start;
}
