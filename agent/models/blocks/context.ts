// Builds the per-batch tensors every layer reads: attention bias, position ids, rotary tables.
import type { LayerContext } from "../arch/types.ts";
import type { TokenBatch } from "../types.ts";
import { attentionBias } from "./attention.ts";
import { ropeTables, type RopeStyle } from "./rope.ts";
import type { RopeScaling } from "./rope_scaling.ts";

export interface ContextOptions {
  causal: boolean;
  /** Rotary tables to build; `scaling` as config.json's rope_scaling asks. @default undefined (no rotary embeddings) */
  rope?: { rotaryDim: number; headDim: number; base: number; style: RopeStyle; scaling?: RopeScaling };
  /**
   * RoBERTa numbers real tokens from paddingIdx + 1 and gives padding the id paddingIdx; others count
   * from 0. @default undefined (positions 0, 1, …)
   */
  paddingIdx?: number;
}

/**
 * Position id of each token: the batch's `positionIds` when it packs branches, else its index among the row's
 * real tokens (right padding keeps 0…T−1).
 */
export function positionIds(batch: TokenBatch, paddingIdx?: number): Int32Array {
  const out = new Int32Array(batch.batch * batch.length);
  const given = batch.positionIds;
  for (let b = 0; b < batch.batch; b++) {
    let seen = 0;
    for (let t = 0; t < batch.length; t++) {
      const i = b * batch.length + t;
      const own = given ? given[i]! : seen;
      if (paddingIdx === undefined) out[i] = given ? own : t;
      else out[i] = batch.mask[i] !== 0 ? paddingIdx + 1 + own : paddingIdx;
      if (batch.mask[i] !== 0) seen++;
    }
  }
  return out;
}

export function makeContext(batch: TokenBatch, options: ContextOptions): LayerContext {
  const positions = positionIds(batch, options.paddingIdx);
  const ctx: LayerContext = {
    batch: batch.batch,
    length: batch.length,
    bias: attentionBias(batch.mask, batch.batch, batch.length, options.causal, batch.segments),
    positions,
  };
  if (options.rope != null) {
    const r = options.rope;
    ctx.rope = ropeTables(positions, batch.batch, batch.length, r.rotaryDim, r.base, r.style, r.scaling, r.headDim);
  }
  return ctx;
}
