import { InvalidArgumentError, NonFiniteError } from '../errors.ts';
import { requireFinite } from '../validate.ts';

/**
 * Brent's method: a root of f in [a, b] with f(a) f(b) ≤ 0, to |Δx| ≤ xTol
 * (inverse quadratic interpolation with bisection safeguard).
 */
export function brentRoot(f: (x: number) => number, a: number, b: number, xTol = 1e-14, maxIter = 200): number {
  requireFinite('brentRoot.a', a);
  requireFinite('brentRoot.b', b);
  let fa = f(a), fb = f(b);
  if (!Number.isFinite(fa)) throw new NonFiniteError('brentRoot.f(a)', fa);
  if (!Number.isFinite(fb)) throw new NonFiniteError('brentRoot.f(b)', fb);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (fa * fb > 0) throw new InvalidArgumentError('brentRoot.bracket', [a, b], `f has the same sign at both ends (${fa}, ${fb})`);
  let c = a, fc = fa, d = b - a, e = d;
  for (let i = 0; i < maxIter; i++) {
    if (fb * fc > 0) {
      c = a;
      fc = fa;
      d = e = b - a;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b; b = c; c = a;
      fa = fb; fb = fc; fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * xTol;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qq = fa / fc, r = fb / fc;
        p = s * (2 * m * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = d;
      }
    } else {
      d = m;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
    if (!Number.isFinite(fb)) throw new NonFiniteError(`brentRoot.f(${b})`, fb);
  }
  return b;
}

/**
 * Minimizer of a smooth unimodal f on [a, b]: golden-section search down to a
 * bracket of width ~1e-4 (b − a), then the root of the five-point finite-difference
 * derivative by Brent (derivative roots are accurate to ~ε^{2/3}, function-value
 * comparisons only to ~ε^{1/2}). f is evaluated on [a, b] only (one-sided five-point
 * stencils within 2h of an end), and a minimum at an end of [a, b] is returned as that end.
 * (Before 2026-12 the central stencil stepped up to 2·1e-4(b − a) outside [a, b], and a
 * minimum at an end came back ≈ 2.5e-5(b − a) inside it.)
 */
export function minimizeScalar(f: (x: number) => number, a: number, b: number, xTol = 1e-12): number {
  requireFinite('minimize.a', a);
  requireFinite('minimize.b', b);
  if (!(b > a)) throw new InvalidArgumentError('minimize.b', b, `must exceed a = ${a}`);
  const g = (Math.sqrt(5) - 1) / 2;
  let lo = a, hi = b;
  let x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  let f1 = f(x1), f2 = f(x2);
  while (hi - lo > 1e-4 * (b - a)) {
    if (f1 <= f2) {
      hi = x2; x2 = x1; f2 = f1;
      x1 = hi - g * (hi - lo); f1 = f(x1);
    } else {
      lo = x1; x1 = x2; f1 = f2;
      x2 = lo + g * (hi - lo); f2 = f(x2);
    }
  }
  const h = 1e-4 * (b - a);
  // Five-point derivative, truncation O(h⁴), rounding O(ε/h): central inside, one-sided
  // (−25f₀ + 48f₁ − 36f₂ + 16f₃ − 3f₄)/(12h) within 2h of an end so that f is never asked outside [a, b].
  const oneSided = (x: number, s: number) => (s * (-25 * f(x) + 48 * f(x + s * h) - 36 * f(x + 2 * s * h) + 16 * f(x + 3 * s * h) - 3 * f(x + 4 * s * h))) / (12 * h);
  const df = (x: number) =>
    x - 2 * h < a ? oneSided(x, 1) : x + 2 * h > b ? oneSided(x, -1) : (8 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12 * h);
  const dlo = df(lo), dhi = df(hi);
  if (dlo * dhi > 0) {
    // Monotone across the final bracket: the minimum is at its lower end (f rising) or upper end (f falling),
    // which is a or b itself when the bracket reached an end; compare values with the interior probes.
    let best = dlo > 0 ? lo : hi, fBest = f(best);
    for (const [x, fx] of [[x1, f1], [x2, f2]] as const) if (fx < fBest) { best = x; fBest = fx; }
    return best;
  }
  return brentRoot(df, lo, hi, xTol);
}
