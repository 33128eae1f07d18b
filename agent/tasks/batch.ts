// Packs encoded samples into right-padded batches, longest-alike together, remembering each sample's slot.
import type { TokenBatch } from "../models/types.ts";
import type { EncodedSample } from "./protocol.ts";

/** One forward pass worth of sequences, and where the loss reads its logits. */
export interface EncodedBatch {
  tokens: TokenBatch;
  /** Distinct flat positions (row · length + t) whose logits the reads need, in order of first use. */
  positions: Int32Array;
  /** Each read's target token: sample by sample, sequence by sequence, target by target. */
  targets: Int32Array;
  /** Each read's index into `positions` (several reads may share a position). */
  reads: Int32Array;
  samples: EncodedSample[];
  /** Slot of each sample in the caller's index list (results come back in that order). */
  slots: number[];
}

function longest(sample: EncodedSample): number {
  return Math.max(...sample.sequences.map((s) => s.ids.length));
}

/**
 * Sort by length (ties by slot, so the order is deterministic), then fill batches up to `batchSize`
 * sequences (rows of the forward pass; a packed sequence counts once); a sample's sequences always share a batch.
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
  const packed = sequences.some((s) => s.segments !== undefined || s.positionIds !== undefined);
  const positionIds = packed ? new Int32Array(sequences.length * length) : undefined;
  const segments = packed ? new Int32Array(sequences.length * length) : undefined;
  const distinct = new Map<number, number>();
  const reads: number[] = [];
  const targets: number[] = [];
  sequences.forEach((seq, row) => {
    const at = row * length;
    ids.set(seq.ids, at);
    mask.fill(1, at, at + seq.ids.length);
    if (positionIds && segments) {
      for (let t = 0; t < seq.ids.length; t++) positionIds[at + t] = seq.positionIds?.[t] ?? t;
      if (seq.segments) segments.set(seq.segments, at);
    }
    for (let i = 0; i < seq.positions.length; i++) {
      const flat = at + seq.positions[i]!;
      let index = distinct.get(flat);
      if (index === undefined) distinct.set(flat, (index = distinct.size));
      reads.push(index);
      targets.push(seq.targets[i]!);
    }
  });
  const tokens: TokenBatch = { ids, mask, batch: sequences.length, length, ...(positionIds && segments ? { positionIds, segments } : {}) };
  return {
    tokens,
    positions: Int32Array.from(distinct.keys()),
    targets: Int32Array.from(targets),
    reads: Int32Array.from(reads),
    samples,
    slots,
  };
}
