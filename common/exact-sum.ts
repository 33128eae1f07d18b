// Exactly rounded float64 sums (Shewchuk's partials, as Python's math.fsum): the same total in any order or grouping.
//
// A set's loss is the mean of its samples' losses. Summed left to right, the float64 total depends on where the
// set was cut into shards and on the order the parts were added; kept as partials and rounded once, it is the
// exact sum rounded to nearest, whatever the grouping. Shards return their partials and the merge adds them.

/** A running sum kept exactly as non-overlapping float64 partials, smallest magnitude first. */
export class ExactSum {
  private partials: number[] = [];
  /** NaN and ±Infinity are kept apart: they decide the total on their own. */
  private special = 0;

  constructor(values: Iterable<number> = []) {
    for (const v of values) this.add(v);
  }

  add(value: number): this {
    if (!Number.isFinite(value)) {
      this.special += value;
      return this;
    }
    let x = value;
    let kept = 0;
    for (let y of this.partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) this.partials[kept++] = lo;
      x = hi;
    }
    this.partials.length = kept;
    this.partials.push(x);
    return this;
  }

  /** Adds another sum's partials (as `parts()` returned them). */
  addParts(parts: readonly number[]): this {
    for (const p of parts) this.add(p);
    return this;
  }

  /** The partials: numbers whose exact sum is this sum (empty for an empty sum; NaN/±Infinity as one entry). */
  parts(): number[] {
    return this.special === 0 ? [...this.partials] : [this.special];
  }

  /** The exact sum rounded to the nearest float64 (ties to even), as math.fsum. */
  value(): number {
    if (this.special !== 0) return this.special;
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // hi + lo is exact; when lo is half an ulp of hi, the partials below decide which way the tie rounds.
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    // A zero total is +0, as the empty sum is: the sign of a zero would otherwise depend on which partials remained.
    return hi === 0 ? 0 : hi;
  }
}
