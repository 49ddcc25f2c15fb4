import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { requireIntegerInRange } from '../validate.ts';

/*
 * A training weighting over noise levels: the levels (a_j, s_j) a loss visits and the weight ω_j ≥ 0 of
 * each (MATH.md §13.2–13.4: MAR's, PerCo's and DreamFusion's losses are sums Σ_j ω_j (per-level term)).
 */

/** Throws unless there is at least one level, one finite weight ≥ 0 per level, and every level is valid. */
export function requireWeightedLevels(levels: readonly NoiseLevel[], weights: readonly number[]): void {
  if (levels.length < 1) throw new InvalidArgumentError('levels', levels.length, 'need at least one noise level');
  if (weights.length !== levels.length) throw new DimensionMismatchError('weights', levels.length, weights.length);
  levels.forEach((l, j) => requireNoiseLevel(l, `levels[${j}]`));
  weights.forEach((w, j) => {
    if (!(Number.isFinite(w) && w >= 0)) throw new InvalidArgumentError(`weights[${j}]`, w, 'must be finite and ≥ 0');
  });
}

/** Levels of a schedule t = 1..T. */
export function scheduleLevels(schedule: { readonly T: number; level(t: number): NoiseLevel }): NoiseLevel[] {
  return Array.from({ length: schedule.T }, (_, i) => schedule.level(i + 1));
}

/** t uniform over the T levels (MAR's and PerCo's ε-prediction training): ω_t = 1/T. */
export function uniformTimestepWeights(T: number): number[] {
  requireIntegerInRange('T', T, 1, 1e7);
  return Array.from({ length: T }, () => 1 / T);
}
