// Seeded randomness for plans that must not depend on the machine or the agent count (splits, sampling).
import { C2iError, ErrorCode } from "./errors.ts";

/** A source of uniform numbers in [0, 1); the same seed gives the same stream everywhere. */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit generator, plenty for shuffling datasets (not for cryptography).
 * `seed` must be an integer; it is taken modulo 2^32.
 */
export function mulberry32(seed: number): Random {
  if (!Number.isInteger(seed)) {
    throw new C2iError(ErrorCode.INVALID_ARGUMENT, `random seed must be an integer, got ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, bound). */
export function randomInt(random: Random, bound: number): number {
  return Math.floor(random() * bound);
}

/** Fisher–Yates shuffle in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** A seeded permutation of 0 … n−1. */
export function seededPermutation(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  return shuffleInPlace(order, mulberry32(seed));
}
