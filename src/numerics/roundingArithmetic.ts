import { InvalidArgumentError } from '../errors.ts';
import { normalCdf, normalPdf } from './normalCdf.ts';

/*
 * Floating-point precision of a subject's numbers, and two interpretations of one formula
 * (MATH.md §7.1):
 *  - `roundedArithmetic(p)` evaluates it as an implementation in precision p would (every
 *    operation's result rounded to nearest with p significand bits) — to emulate a float32
 *    subject in tests;
 *  - `boundArithmetic(p)` carries, next to each exact (float64) value, a first-order bound on how
 *    far an implementation in precision p can be from it (running error analysis, Higham,
 *    "Accuracy and Stability of Numerical Algorithms", §3.3): each operation propagates its
 *    inputs' error bounds and adds u·|result| for its own rounding, u = 2^−p the unit roundoff.
 * A formula written once against `Arithmetic<N>` runs under both, and under `exactArithmetic`.
 */

/** Precisions a subject may declare for its tensors or its schedule coefficients. */
export type Precision = 'float64' | 'float32' | 'bfloat16' | 'float16';

export const PRECISIONS: readonly Precision[] = ['float64', 'float32', 'bfloat16', 'float16'];

/** Significand bits (with the implicit bit). */
const SIGNIFICAND_BITS: Readonly<Record<Precision, number>> = { float64: 53, float32: 24, bfloat16: 8, float16: 11 };

/** Unit roundoff u = 2^−p (round to nearest): |fl(x) − x| ≤ u|x| for normal numbers. */
export function unitRoundoff(p: Precision): number {
  const bits = SIGNIFICAND_BITS[p];
  if (bits === undefined) throw new InvalidArgumentError('precision', p, `must be one of ${PRECISIONS.join(', ')}`);
  return 2 ** -bits;
}

/** Precisions ordered from the finest to the coarsest. */
export function precisionsFinestFirst(): Precision[] {
  return [...PRECISIONS].sort((a, b) => unitRoundoff(a) - unitRoundoff(b));
}

/**
 * Round to nearest (ties to even) with the precision's significand bits. float32 is exact
 * (Math.fround, subnormals included); bfloat16/float16 ignore their exponent range
 * (no overflow or subnormals) — enough to emulate a coefficient path, not a full format.
 */
export function roundTo(p: Precision, x: number): number {
  if (p === 'float64' || x === 0 || !Number.isFinite(x)) return x;
  if (p === 'float32') return Math.fround(x);
  const bits = SIGNIFICAND_BITS[p];
  const ax = Math.abs(x);
  let e = Math.floor(Math.log2(ax));
  if (2 ** e > ax) e--;
  else if (2 ** (e + 1) <= ax) e++;
  const scale = 2 ** (e - bits + 1);
  const m = ax / scale; // in [2^(bits−1), 2^bits): exact (a power-of-two scaling)
  let r = Math.floor(m);
  const frac = m - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
  return Math.sign(x) * r * scale;
}

/** The operations a schedule or coefficient formula uses. Constants are rounded inputs. */
export interface Arithmetic<N> {
  /** A literal or configuration value (e.g. 1e-4) as the implementation holds it. */
  c(x: number): N;
  /** An exact small integer (a loop index): no rounding. */
  int(i: number): N;
  add(a: N, b: N): N;
  sub(a: N, b: N): N;
  mul(a: N, b: N): N;
  div(a: N, b: N): N;
  sqrt(a: N): N;
  cos(a: N): N;
  exp(a: N): N;
  log(a: N): N;
  /** a^k for a constant exponent k (a > 0). */
  pow(a: N, k: number): N;
  /** min(a, b) — clipping (e.g. β ≤ max_beta). */
  min(a: N, b: N): N;
  /** max(a, b) — clamping (e.g. a probability ≥ 1e−12). */
  max(a: N, b: N): N;
  tanh(a: N): N;
  /** Φ(a), the standard normal distribution function. */
  normalCdf(a: N): N;
  value(a: N): number;
}

/** Plain float64 arithmetic: the reference values. */
export const exactArithmetic: Arithmetic<number> = {
  c: (x) => x,
  int: (i) => i,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  sqrt: Math.sqrt,
  cos: Math.cos,
  exp: Math.exp,
  log: Math.log,
  pow: (a, k) => a ** k,
  min: Math.min,
  max: Math.max,
  tanh: Math.tanh,
  normalCdf,
  value: (a) => a,
};

/** Every result rounded to precision p (correctly rounded elementary functions). */
export function roundedArithmetic(p: Precision): Arithmetic<number> {
  const r = (x: number) => roundTo(p, x);
  return {
    c: r,
    int: (i) => i,
    add: (a, b) => r(a + b),
    sub: (a, b) => r(a - b),
    mul: (a, b) => r(a * b),
    div: (a, b) => r(a / b),
    sqrt: (a) => r(Math.sqrt(a)),
    cos: (a) => r(Math.cos(a)),
    exp: (a) => r(Math.exp(a)),
    log: (a) => r(Math.log(a)),
    pow: (a, k) => r(a ** k),
    min: Math.min,
    max: Math.max,
    tanh: (a) => r(Math.tanh(a)),
    normalCdf: (a) => r(normalCdf(a)),
    value: (a) => a,
  };
}

/** An exact value and a bound on the distance of a precision-p evaluation from it. */
export interface Bounded {
  readonly v: number;
  readonly e: number;
}

/**
 * Running error bounds in precision p (first order in u, the e·e term of products kept):
 *   c(x):  e = u|x| unless x is representable in p;   add/sub: e = e_a + e_b + u|v|
 *   mul:   e = |a|e_b + |b|e_a + e_a e_b + u|v|;       div: e = (e_a + |v| e_b)/(|b| − e_b) + u|v|
 *   sqrt:  e = e_a/(√(a − e_a) + √a) + u v;            cos: e = (|sin a| + e_a) e_a + 2u|v|
 *   exp:   e = |v|(e^{e_a} − 1) + 2u|v|;               log: e = −log(1 − e_a/a) + 2u|log a|
 *   pow:   e = |v| max(|(1 + r)^k − 1|, |(1 − r)^k − 1|) + 2u|v|, r = e_a/a < 1
 *   tanh:  e = (1 − tanh²(|a| − e_a)) e_a + 2u|v|;    Φ: e = φ(|a| − e_a) e_a + 2u|v|
 * Elementary functions get 2u: one for a faithfully rounded library result, one for the
 * rounding of their argument's last operation already counted in e_a. A bound that cannot be
 * formed (a divisor or a log/sqrt argument within its own error of 0) is +∞: no claim is made.
 */
export function boundArithmetic(p: Precision): Arithmetic<Bounded> {
  const u = unitRoundoff(p);
  const own = (v: number, e: number): Bounded => ({ v, e: e + u * Math.abs(v) });
  return {
    c: (x) => ({ v: x, e: roundTo(p, x) === x ? 0 : u * Math.abs(x) }),
    int: (i) => ({ v: i, e: 0 }),
    add: (a, b) => own(a.v + b.v, a.e + b.e),
    sub: (a, b) => own(a.v - b.v, a.e + b.e),
    mul: (a, b) => own(a.v * b.v, Math.abs(a.v) * b.e + Math.abs(b.v) * a.e + a.e * b.e),
    div: (a, b) => {
      const v = a.v / b.v;
      const room = Math.abs(b.v) - b.e;
      return own(v, room > 0 ? (a.e + Math.abs(v) * b.e) / room : Infinity);
    },
    sqrt: (a) => {
      const v = Math.sqrt(a.v);
      const lo = a.v - a.e;
      return own(v, lo >= 0 ? a.e / (Math.sqrt(lo) + v) : v + Math.sqrt(a.e));
    },
    cos: (a) => {
      const v = Math.cos(a.v);
      return { v, e: (Math.abs(Math.sin(a.v)) + a.e) * a.e + 2 * u * Math.abs(v) };
    },
    exp: (a) => {
      const v = Math.exp(a.v);
      return { v, e: Math.abs(v) * Math.expm1(a.e) + 2 * u * Math.abs(v) };
    },
    log: (a) => {
      const v = Math.log(a.v);
      return { v, e: (a.e < a.v ? -Math.log1p(-a.e / a.v) : Infinity) + 2 * u * Math.abs(v) };
    },
    pow: (a, k) => {
      const v = a.v ** k;
      if (!(a.e < a.v)) return { v, e: Infinity };
      const r = a.e / a.v;
      const spread = Math.max(Math.abs(Math.expm1(k * Math.log1p(r))), Math.abs(Math.expm1(k * Math.log1p(-r))));
      return { v, e: Math.abs(v) * spread + 2 * u * Math.abs(v) };
    },
    min: (a, b) => choose(a, b, a.v <= b.v),
    max: (a, b) => choose(a, b, a.v >= b.v),
    tanh: (a) => {
      const v = Math.tanh(a.v);
      // |tanh′| = 1 − tanh² ≤ 1 − tanh²(|a| − e_a) on the interval.
      const lo = Math.max(0, Math.abs(a.v) - a.e);
      return { v, e: (1 - Math.tanh(lo) ** 2) * a.e + 2 * u * Math.abs(v) };
    },
    normalCdf: (a) => {
      const v = normalCdf(a.v);
      // φ is largest on the interval at the point nearest 0.
      const lo = Math.max(0, Math.abs(a.v) - a.e);
      return { v, e: normalPdf(lo) * a.e + 2 * u * Math.abs(v) };
    },
    value: (a) => a.v,
  };
}

/** min/max: where the two are within their errors either branch may be taken — keep the larger error plus the gap. */
function choose(a: Bounded, b: Bounded, pickA: boolean): Bounded {
  const pick = pickA ? a : b;
  return Math.abs(a.v - b.v) <= a.e + b.e ? { v: pick.v, e: Math.max(a.e, b.e) + Math.abs(a.v - b.v) } : pick;
}

/** A value held with an externally known error bound (an input read from a subject's table). */
export function bounded(v: number, e: number): Bounded {
  return { v, e };
}
