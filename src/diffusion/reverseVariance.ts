import { InvalidArgumentError } from '../errors.ts';
import type { VPSchedule } from './schedule.ts';

/**
 * Reverse-step variance σ_t² of a DDPM sampler x_{t−1} = μ_t(x_t) + σ_t z (MATH.md §4):
 * - 'seed':      (1−α_t)/α_t   (Liang et al. 2025)
 * - 'beta':      β_t = 1−α_t   (Ho et al. "σ² = β")
 * - 'posterior': β̃_t = β_t (1−ᾱ_{t−1})/(1−ᾱ_t)  (Ho et al. "σ² = β̃"; 0 at t = 1)
 */
export type ReverseVarianceKind = 'seed' | 'beta' | 'posterior';

export const REVERSE_VARIANCE_KINDS: readonly ReverseVarianceKind[] = ['seed', 'beta', 'posterior'];

export function reverseVariance(schedule: VPSchedule, t: number, kind: ReverseVarianceKind): number {
  const alpha = schedule.alpha(t);
  switch (kind) {
    case 'seed':
      return (1 - alpha) / alpha;
    case 'beta':
      return 1 - alpha;
    case 'posterior':
      return ((1 - alpha) * (1 - schedule.alphaBar(t - 1))) / (1 - schedule.alphaBar(t));
    default:
      throw new InvalidArgumentError('reverseVariance.kind', kind, `must be one of ${REVERSE_VARIANCE_KINDS.join(', ')}`);
  }
}
