import { InvalidArgumentError } from '../errors.ts';
import { checkFiniteResult, requireFinite, requireIntegerInRange } from '../validate.ts';

/*
 * Total variation and supremum of a smooth function on [a, b] from a uniform grid of n cells, with every
 * local extremum the grid shows refined by golden-section search on its two neighbouring cells. The knots
 * (grid points and refined extrema) split [a, b] into pieces on which f is monotone, so
 * TV_{[p, q]}(f) ≤ V(k⁺) − V(k⁻) (V the cumulative variation at the knots, k⁻ ≤ p and k⁺ ≥ q the covering
 * knots) and sup_{[p, q]} |f| ≤ the largest |f| at the covering knots — exact for a function whose extrema are
 * more than one cell apart (a pair of extrema inside one cell is the only thing it can miss). Used for the
 * constants of Riemann-sum error bounds (MATH.md §13.9).
 */

export interface Variation {
  /** TV over [a, b]. */
  readonly totalVariation: number;
  /** sup |f| over [a, b]. */
  readonly supremum: number;
  /** Abscissae of the refined interior extrema. */
  readonly extrema: readonly number[];
  /** An upper bound on TV_{[p, q]}(f), a ≤ p ≤ q ≤ b. */
  between(p: number, q: number): number;
  /** An upper bound on sup_{[p, q]} |f|. */
  supremumBetween(p: number, q: number): number;
}

const GOLD = (Math.sqrt(5) - 1) / 2;

/** argmax of s·f on [lo, hi] by golden section (80 steps: the bracket shrinks by 0.618⁸⁰ ≈ 2e-17). */
function goldenExtremum(f: (x: number) => number, lo: number, hi: number, s: 1 | -1): { x: number; y: number } {
  let a = lo, b = hi;
  let c = b - GOLD * (b - a), d = a + GOLD * (b - a);
  let fc = s * f(c), fd = s * f(d);
  for (let i = 0; i < 80 && b - a > 0; i++) {
    if (fc >= fd) {
      b = d; d = c; fd = fc;
      c = b - GOLD * (b - a); fc = s * f(c);
    } else {
      a = c; c = d; fc = fd;
      d = a + GOLD * (b - a); fd = s * f(d);
    }
  }
  const x = fc >= fd ? c : d;
  return { x, y: f(x) };
}

/** Largest index i with xs[i] ≤ x (0 if none). */
function floorIndex(xs: Float64Array, x: number): number {
  let lo = 0, hi = xs.length - 1;
  if (x >= xs[hi]) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function variationOnInterval(f: (x: number) => number, a: number, b: number, cells = 2048): Variation {
  requireFinite('a', a);
  requireFinite('b', b);
  if (!(b > a)) throw new InvalidArgumentError('b', b, `must exceed a = ${a}`);
  requireIntegerInRange('cells', cells, 2, 1e7);
  const h = (b - a) / cells;
  const at = (i: number) => (i === cells ? b : a + i * h);
  const ys = new Float64Array(cells + 1);
  for (let i = 0; i <= cells; i++) ys[i] = checkFiniteResult(`f(${at(i)})`, f(at(i)));
  const kx: number[] = [a], ky: number[] = [ys[0]];
  const extrema: number[] = [];
  // An extremum inside an end cell whose endpoint (a or b) is the cell's extreme grid value has no grid point on
  // both sides to show it (sin(x + φ) with its maximum at x = 0.006 < h: the 3-point test below never fires).
  // Search the end cell for what would exceed its endpoint. (When the inner grid point is the extreme, the
  // 3-point test at it covers the cell.)
  // The 3-point test fires at x₁ when y₁ > y₀ (max) / y₁ < y₀ (min), and at x_{n−1} when y_{n−1} ≥ y_n (max) /
  // y_{n−1} ≤ y_n (min) — a tie at the start is the end cell's to search, a tie at the end is not.
  const endCell = (lo: number, hi: number, yEnd: number, yInner: number, tieIsOurs: boolean): { x: number; y: number }[] => {
    const found: { x: number; y: number }[] = [];
    for (const s of [1, -1] as const) {
      if (s * yEnd < s * yInner || (yEnd === yInner && !tieIsOurs)) continue; // the inner point's test covers it
      const e = goldenExtremum(f, lo, hi, s);
      if (s * e.y > s * yEnd && e.x > lo && e.x < hi) found.push(e);
    }
    return found.sort((p, q) => p.x - q.x);
  };
  for (const e of endCell(a, at(1), ys[0], ys[1], true)) { extrema.push(e.x); kx.push(e.x); ky.push(e.y); }
  for (let i = 1; i < cells; i++) {
    const left = ys[i] - ys[i - 1], right = ys[i + 1] - ys[i];
    const s: 1 | -1 | 0 = left > 0 && right <= 0 ? 1 : left < 0 && right >= 0 ? -1 : 0;
    if (s !== 0) {
      const e = goldenExtremum(f, at(i - 1), at(i + 1), s);
      const y = s === 1 ? Math.max(e.y, ys[i]) : Math.min(e.y, ys[i]);
      extrema.push(e.x);
      // the extremum and the grid point, in order (both are knots: f is monotone between consecutive knots)
      if (e.x < at(i)) { kx.push(e.x, at(i)); ky.push(y, ys[i]); } else { kx.push(at(i), e.x); ky.push(ys[i], y); }
    } else {
      kx.push(at(i));
      ky.push(ys[i]);
    }
  }
  const last = endCell(at(cells - 1), b, ys[cells], ys[cells - 1], false);
  for (const e of last) {
    extrema.push(e.x);
    // after the knots at or before x_{n−1} (an interior extremum refined into the last cell stays before it)
    let j = kx.length;
    while (j > 0 && kx[j - 1] > e.x) j--;
    kx.splice(j, 0, e.x);
    ky.splice(j, 0, e.y);
  }
  kx.push(b);
  ky.push(ys[cells]);
  const xs = Float64Array.from(kx), cum = new Float64Array(kx.length), abs = Float64Array.from(ky, Math.abs);
  for (let j = 1; j < kx.length; j++) cum[j] = cum[j - 1] + Math.abs(ky[j] - ky[j - 1]);
  let sup = 0;
  for (const v of abs) sup = Math.max(sup, v);
  const cover = (p: number, q: number) => {
    const lo = floorIndex(xs, Math.max(a, Math.min(p, q)));
    let hi = floorIndex(xs, Math.min(b, Math.max(p, q)));
    if (xs[hi] < Math.max(p, q) && hi < xs.length - 1) hi++;
    return [lo, hi] as const;
  };
  return {
    totalVariation: cum[cum.length - 1],
    supremum: sup,
    extrema,
    between(p, q) {
      const [lo, hi] = cover(p, q);
      return cum[hi] - cum[lo];
    },
    supremumBetween(p, q) {
      const [lo, hi] = cover(p, q);
      let m = 0;
      for (let j = lo; j <= hi; j++) m = Math.max(m, abs[j]);
      return m;
    },
  };
}
