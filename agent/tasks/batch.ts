// Packs encoded samples into right-padded batches, longest-alike together, remembering each sample's slot.
import type { TokenBatch } from "../models/types.ts";
import type { EncodedSample } from "./protocol.ts";

/** One forward pass worth of sequences, and where the loss reads its logits. */
export interface EncodedBatch {
  tokens: TokenBatch;
  /** Flat positions (row · length + t), sample by sample, sequence by sequence, target by target. */
  positions: Int32Array;
  targets: Int32Array;
  samples: EncodedSample[];
  /** Slot of each sample in the caller's index list (results come back in that order). */
  slots: number[];
}

function longest(sample: EncodedSample): number {
  return Math.max(...sample.sequences.map((s) => s.ids.length));
}

/**
 * Sort by length (ties by slot, so the order is deterministic), then fill batches up to `batchSize`
 * sequences; a sample's sequences (its choices) always share a batch.
 */
export function packBatches(samples: readonly EncodedSample[], batchSize: number, padId: number): EncodedBatch[] {
  const order = samples.map((_, i) => i).sort((a, b) => longest(samples[a]!) - longest(samples[b]!) || a - b);
  const groups: number[][] = [];
  let current: number[] = [];
  let rows = 0;
  for (const slot of order) {
    const n = samples[slot]!.sequences.length;
    if (current.length > 0 && rows + n > batchSize) {
      groups.push(current);
      current = [];
      rows = 0;
    }
    current.push(slot);
    rows += n;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((slots) => buildBatch(slots.map((s) => samples[s]!), slots, padId));
}

function buildBatch(samples: EncodedSample[], slots: number[], padId: number): EncodedBatch {
  const sequences = samples.flatMap((s) => s.sequences);
  const length = Math.max(...sequences.map((s) => s.ids.length));
  const ids = new Int32Array(sequences.length * length).fill(padId);
  const mask = new Int32Array(sequences.length * length);
  const positions: number[] = [];
  const targets: number[] = [];
  sequences.forEach((seq, row) => {
    ids.set(seq.ids, row * length);
    mask.fill(1, row * length, row * length + seq.ids.length);
    for (let i = 0; i < seq.positions.length; i++) {
      positions.push(row * length + seq.positions[i]!);
      targets.push(seq.targets[i]!);
    }
  });
  return {
    tokens: { ids, mask, batch: sequences.length, length },
    positions: Int32Array.from(positions),
    targets: Int32Array.from(targets),
    samples,
    slots,
  };
}
