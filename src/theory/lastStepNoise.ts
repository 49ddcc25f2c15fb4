import type { AffineGuidance } from '../diffusion/reverseSampler.ts';
import { type ReverseVarianceKind, reverseVariance } from '../diffusion/reverseVariance.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { type GaussianMoments, propagateAffineSampler } from './gaussianPropagation.ts';
import { klMomentsToMoments } from './mismatch.ts';

/*
 * The two conventions for the last reverse step (MATH.md §13.11). The seed's sampler
 * x_{t−1} = μ_t(x_t) + σ_t z adds noise at every step, t = 1 included ('noisy-last': what
 * `propagateAffineSampler` and every liang2025 claim compute). Many implementations return the mean at t = 1
 * (DDPM's "x_0 = μ_1(x_1)", 'mean-last'): the same law with σ_1² I removed from the final covariance.
 */
export type LastStep = 'noisy-last' | 'mean-last';

/** Law of P̂_0 under either convention (exact, affine guidance, start N(0, I)). */
export function finalSamplerLaw(schedule: VPSchedule, guidance: AffineGuidance, variance: ReverseVarianceKind, dim: number, lastStep: LastStep): GaussianMoments {
  const p0 = propagateAffineSampler(schedule, guidance, variance, dim)[0];
  if (lastStep === 'noisy-last') return p0;
  const v = reverseVariance(schedule, 1, variance);
  const cov = { rows: dim, cols: dim, data: Float64Array.from(p0.cov.data) };
  for (let i = 0; i < dim; i++) cov.data[i * dim + i] -= v;
  return { mean: p0.mean, cov };
}

/** KL(Q̃_0 ‖ P̂_0) under either convention (+∞ when the mean-last law is degenerate). */
export function finalKlConvention(target: GaussianMoments, schedule: VPSchedule, guidance: AffineGuidance, variance: ReverseVarianceKind, lastStep: LastStep): number {
  return klMomentsToMoments(target, finalSamplerLaw(schedule, guidance, variance, target.mean.length, lastStep));
}
