import type { Gaussian } from '../gaussian/gaussian.ts';
import type { GaussianMixture } from '../gaussian/mixture.ts';
import { type FlowPathSpec, flowCoefficients } from './flowPath.ts';
import { type FlowMarginalField, mixtureMarginalVelocity } from './flowMatchingMixture.ts';

/*
 * Lipman et al. 2023, Theorem 1: the marginal vector field v*_t generates the marginal probability
 * path q_t, i.e. they satisfy the continuity equation ∂_t q_t + ∇·(q_t v*_t) = 0 (MATH.md §19.3).
 * Divided by q_t > 0 it reads
 *   ρ(x, t) = ∂_t log q_t(x) + ∇·v*_t(x) + v*_t(x)·∇log q_t(x) = 0,
 * which is evaluated here with q_t and v*_t computed independently (the mixture marginal, and the
 * responsibility-weighted conditional velocities of flowMatchingMixture.ts), ∂_t and ∇· by central
 * differences at steps h, h/2 and h/4 combined by Richardson extrapolation, ∇log q_t exactly. The path's
 * coefficients are polynomials in t, so the differences at t = 0 or 1 step outside [0, 1] (the same
 * formulas continued).
 */
export interface ContinuityResidual {
  /** Richardson-extrapolated ρ(x, t) (from h/2 and h/4). */
  readonly residual: number;
  /** max(|ρ(h/2) − ρ(h)|, 16|E(h/2) − E(h)|): a bound on the extrapolated value's truncation error for smooth q_t. */
  readonly truncation: number;
  /** Rounding of the differences: ε·(|log q| + Σ|v*|)/h terms. */
  readonly rounding: number;
  /** |∂_t log q| + |∇·v*| + |v*·∇log q|: the size of what cancels. */
  readonly magnitude: number;
  readonly terms: { readonly dtLogDensity: number; readonly divergence: number; readonly transport: number };
}

export function continuityResidual(data: Gaussian | GaussianMixture, path: FlowPathSpec, t: number, x: ArrayLike<number>, h = 1e-3): ContinuityResidual {
  const d = x.length;
  const fieldAt = (tt: number): FlowMarginalField => mixtureMarginalVelocity(data, flowCoefficients(path, tt));
  const here = fieldAt(t);
  const v = here.evaluate(x, new Float64Array(d));
  const grad = here.marginal.score(x);
  let transport = 0;
  for (let i = 0; i < d; i++) transport += v[i] * grad[i];
  const logq = here.marginal.logPdf(x);
  let vmax = 0;
  for (let i = 0; i < d; i++) vmax = Math.max(vmax, Math.abs(v[i]));
  const xp = Float64Array.from(x), tmp = new Float64Array(d);
  const parts = (step: number) => {
    const dt = (fieldAt(t + step).marginal.logPdf(x) - fieldAt(t - step).marginal.logPdf(x)) / (2 * step);
    let div = 0;
    for (let i = 0; i < d; i++) {
      xp[i] = x[i] + step;
      const up = here.evaluate(xp, tmp)[i];
      xp[i] = x[i] - step;
      const down = here.evaluate(xp, tmp)[i];
      xp[i] = x[i];
      div += (up - down) / (2 * step);
    }
    return { dt, div };
  };
  // Three step sizes: two Richardson extrapolations E(h) = (4ρ(h/2) − ρ(h))/3 and E(h/2); the reported
  // residual is E(h/2). Its truncation is bounded by the larger of |ρ(h/2) − ρ(h)| (the O(h²) term of the
  // unextrapolated residual) and 16|E(h/2) − E(h)| (the O(h⁴) term): two estimates of different orders, so a
  // point where one vanishes by coincidence does not leave the residual without a bound.
  const p1 = parts(h), p2 = parts(h / 2), p3 = parts(h / 4);
  const raw = (q: { dt: number; div: number }) => q.dt + q.div + transport;
  const ext = (a: { dt: number; div: number }, b: { dt: number; div: number }) => ({ dt: (4 * b.dt - a.dt) / 3, div: (4 * b.div - a.div) / 3 });
  const e1 = ext(p1, p2), e2 = ext(p2, p3);
  const dtLogDensity = e2.dt, divergence = e2.div;
  return {
    residual: dtLogDensity + divergence + transport,
    truncation: Math.max(Math.abs(raw(p2) - raw(p1)), 16 * Math.abs(raw(e2) - raw(e1))),
    rounding: (64 * Number.EPSILON * (Math.abs(logq) + 1 + d * (vmax + 1))) / (h / 4),
    magnitude: Math.abs(dtLogDensity) + Math.abs(divergence) + Math.abs(transport),
    terms: { dtLogDensity, divergence, transport },
  };
}
