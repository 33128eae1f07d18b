// A seeded random source for fuzz inputs: every input of a campaign is reproducible from (seed, surface, index).
import { createHash } from "node:crypto";
import { mulberry32, type Random } from "../../common/random.ts";

export class Rng {
  private readonly next: Random;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** The generator of input `index` of `surface` in the campaign seeded `seed`. */
  static forInput(seed: number, surface: string, index: number): Rng {
    const h = createHash("sha256").update(`${seed}|${surface}|${index}`).digest().readUInt32LE(0);
    return new Rng(h);
  }

  float(): number {
    return this.next();
  }

  /** Uniform integer in [0, bound). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** One of `weighted` ([weight, value] pairs), proportionally to the weights. */
  weighted<T>(weighted: readonly (readonly [number, T])[]): T {
    const total = weighted.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of weighted) {
      if ((r -= w) < 0) return v;
    }
    return weighted[weighted.length - 1]![1];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}
