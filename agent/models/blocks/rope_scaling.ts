// How a checkpoint's rope_scaling changes the rotary angles: linear position interpolation, Llama 3's per-frequency rescaling.

export type RopeScaling =
  /** Positions divided by `factor` (linear position interpolation; Hugging Face `rope_type: "linear"`). */
  | { kind: "linear"; factor: number }
  /**
   * Llama 3.1's long-context scaling (Hugging Face `_compute_llama3_parameters`): inverse frequencies whose wavelength
   * 2π/f exceeds originalMaxPositions / lowFreqFactor are divided by `factor`, those under
   * originalMaxPositions / highFreqFactor are kept, and those between blend the two linearly in
   * originalMaxPositions / wavelength. Positions are not scaled.
   */
  | { kind: "llama3"; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };

/** base^(−2i / rotaryDim) for each rotated pair i, adjusted when `scaling` is Llama 3's. */
export function inverseFrequencies(rotaryDim: number, base: number, scaling?: RopeScaling): Float64Array {
  const invFreq = Float64Array.from({ length: rotaryDim / 2 }, (_, i) => 1 / Math.pow(base, (2 * i) / rotaryDim));
  if (scaling?.kind !== "llama3") return invFreq;
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositions } = scaling;
  return invFreq.map((f) => {
    const wavelength = (2 * Math.PI) / f;
    if (wavelength > originalMaxPositions / lowFreqFactor) return f / factor;
    if (wavelength < originalMaxPositions / highFreqFactor) return f;
    const smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return (1 - smooth) * (f / factor) + smooth * f;
  });
}

/** What a position is divided by before it multiplies the inverse frequencies: linear scaling's factor, else 1. */
export function positionDivisor(scaling?: RopeScaling): number {
  return scaling?.kind === "linear" ? scaling.factor : 1;
}
