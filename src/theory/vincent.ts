import { Gaussian } from '../gaussian/gaussian.ts';
import type { GaussianMixture } from '../gaussian/mixture.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Estimate, RunningEstimate } from '../mc/estimate.ts';
import type { Rng } from '../mc/rng.ts';
import { requireIntegerInRange } from '../validate.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { noisyTraceGap } from './noisyTraceGap.ts';
import { exactMarginalScore } from './vincentScoreFunction.ts';

/**
 * Vincent's constant for Gaussian data (MATH.md §2, Theorem 1):
 * C_t = E‖∇log q(x_t|x_0)‖² − E‖∇log q_t‖² = d/s² − tr(Σ_t⁻¹), Σ_t = a²Σ + s²I,
 * evaluated as (a²/s²) tr(Σ Σ_t⁻¹) (no cancellation). DSM(θ) − ESM(θ) = C_t for every θ.
 */
export function vincentConstant(data: Gaussian, level: NoiseLevel): number {
  if (!(data instanceof Gaussian)) throw new InvalidArgumentError('data', data, 'must be a Gaussian (use vincentConstantMixture for mixtures)');
  return noisyTraceGap(data.cov, requireNoiseLevel(level), 'data.cov');
}

/**
 * C_t for mixture (or any DataDistribution) data by Monte Carlo. No closed form
 * exists (MATH.md §1). Uses C_t = E‖∇log q(x_t|x_0) − ∇log q_t(x_t)‖²
 * = E‖ε/s + ∇log q_t(x_t)‖² (the cross term is 2E‖∇log q_t‖²), a non-negative
 * per-sample quantity with far lower variance than d/s² − ‖∇log q_t‖².
 */
export function vincentConstantMixture(data: GaussianMixture | Gaussian, level: NoiseLevel, rng: Rng, n: number): Estimate {
  requireNoiseLevel(level);
  requireIntegerInRange('n', n, 2, 1e9);
  const d = data.dim;
  const score = exactMarginalScore(data, level);
  const { a, s } = level;
  const x0 = new Float64Array(d), eps = new Float64Array(d), xt = new Float64Array(d), g = new Float64Array(d), xi = new Float64Array(d);
  const acc = new RunningEstimate();
  for (let k = 0; k < n; k++) {
    data.sampleInto(rng, x0, xi);
    rng.fillNormal(eps);
    for (let i = 0; i < d; i++) xt[i] = a * x0[i] + s * eps[i];
    score(xt, g);
    let q = 0;
    for (let i = 0; i < d; i++) {
      const r = eps[i] / s + g[i];
      q += r * r;
    }
    acc.push(q);
  }
  return acc.result();
}

/** Timestep weights λ_t, t = 1..T (index t−1), finite and ≥ 0, not all zero. */
export function requireTimestepWeights(weights: ArrayLike<number>, schedule: VPSchedule, field = 'weights'): void {
  if (weights.length !== schedule.T) throw new DimensionMismatchError(field, schedule.T, weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(Number.isFinite(w) && w >= 0)) throw new InvalidArgumentError(`${field}[${i}]`, w, 'must be finite and ≥ 0');
    total += w;
  }
  if (!(total > 0)) throw new InvalidArgumentError(field, weights, 'must not all be zero');
}

/**
 * Σ_t λ_t C_t over a schedule (MATH.md §2: the t-weighted objectives differ by
 * the weighted constant). Weights are used as given (not normalized).
 */
export function weightedVincentConstant(data: Gaussian, schedule: VPSchedule, weights: ArrayLike<number>): number {
  requireTimestepWeights(weights, schedule);
  let s = 0;
  for (let t = 1; t <= schedule.T; t++) if (weights[t - 1] !== 0) s += weights[t - 1] * vincentConstant(data, schedule.level(t));
  return s;
}
