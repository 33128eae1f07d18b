// Householder reflectors H = I − τ v vᵀ on contiguous rows: the building block of QR and bidiagonalisation.

/** A reflector acting on indices [off, off + v.length) of a row; v[0] = 1. */
export interface Reflector {
  off: number;
  v: Float64Array;
  tau: number;
}

/**
 * Makes the reflector that maps x = data[at .. at+len) onto β e₁ (LAPACK dlarfg). Returns β and the
 * reflector; `data` itself is left untouched. τ = 0 (H = I) when x is already a multiple of e₁.
 */
export function makeReflector(data: Float64Array, at: number, len: number, off: number): { beta: number; refl: Reflector } {
  const v = new Float64Array(len);
  const alpha = data[at];
  let ss = 0;
  for (let i = 1; i < len; i++) {
    const x = data[at + i];
    ss += x * x;
  }
  let xnorm = Math.sqrt(ss);
  if (!(ss > 1e-280 && ss < 1e280)) xnorm = scaledNorm(data, at + 1, len - 1);
  v[0] = 1;
  if (xnorm === 0) return { beta: alpha, refl: { off, v, tau: 0 } };
  const beta = -Math.sign(alpha || 1) * hypot(alpha, xnorm);
  const tau = (beta - alpha) / beta;
  const scale = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) v[i] = data[at + i] * scale;
  return { beta, refl: { off, v, tau } };
}

function scaledNorm(data: Float64Array, at: number, len: number): number {
  let scale = 0;
  for (let i = 0; i < len; i++) scale = Math.max(scale, Math.abs(data[at + i]));
  if (scale === 0) return 0;
  let sum = 0;
  for (let i = 0; i < len; i++) {
    const x = data[at + i] / scale;
    sum += x * x;
  }
  return scale * Math.sqrt(sum);
}

/** √(a² + b²) without overflow or harmful underflow (Math.hypot is several times slower in V8). */
export function hypot(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  if (x < y) {
    const t = x;
    x = y;
    y = t;
  }
  if (x === 0) return 0;
  const r = y / x;
  return x * Math.sqrt(1 + r * r);
}

/**
 * Applies the reflectors refls[first], refls[first+step], … (count of them) from the right to every
 * row x of X in [r0, r1): x ← x·H, i.e. x[off..] −= τ (x·v) v. Rows are processed four at a time so
 * each reflector is read once per four rows while the rows stay in cache: the same arithmetic as
 * one-at-a-time application, in a different loop order.
 */
export function applyReflectorsToRows(
  x: Float64Array,
  ld: number,
  r0: number,
  r1: number,
  refls: Reflector[],
  first: number,
  count: number,
  step: number,
): void {
  let i = r0;
  for (; i + 4 <= r1; i += 4) {
    const b0 = i * ld;
    const b1 = b0 + ld;
    const b2 = b1 + ld;
    const b3 = b2 + ld;
    for (let q = 0, idx = first; q < count; q++, idx += step) {
      const { off, v, tau } = refls[idx];
      if (tau === 0) continue;
      const n = v.length;
      const o0 = b0 + off;
      const o1 = b1 + off;
      const o2 = b2 + off;
      const o3 = b3 + off;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let t = 0; t < n; t++) {
        const vt = v[t];
        d0 += x[o0 + t] * vt;
        d1 += x[o1 + t] * vt;
        d2 += x[o2 + t] * vt;
        d3 += x[o3 + t] * vt;
      }
      d0 *= tau;
      d1 *= tau;
      d2 *= tau;
      d3 *= tau;
      for (let t = 0; t < n; t++) {
        const vt = v[t];
        x[o0 + t] -= d0 * vt;
        x[o1 + t] -= d1 * vt;
        x[o2 + t] -= d2 * vt;
        x[o3 + t] -= d3 * vt;
      }
    }
  }
  for (; i < r1; i++) {
    const b = i * ld;
    for (let q = 0, idx = first; q < count; q++, idx += step) {
      const { off, v, tau } = refls[idx];
      if (tau === 0) continue;
      const n = v.length;
      const o = b + off;
      let d = 0;
      for (let t = 0; t < n; t++) d += x[o + t] * v[t];
      d *= tau;
      for (let t = 0; t < n; t++) x[o + t] -= d * v[t];
    }
  }
}
