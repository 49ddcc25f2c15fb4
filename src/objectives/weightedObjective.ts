import type { Gaussian } from '../gaussian/gaussian.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import type { AffineScoreModel } from '../models/affineScoreModel.ts';
import { type TimestepModels, modelAt } from '../models/scoreModel.ts';
import { requireTimestepWeights } from '../theory/vincent.ts';
import { dsmAffine, dsmAffineGradient, esmAffine, esmAffineGradient } from './affineClosedForm.ts';

/**
 * Σ_t λ_t f(t, level_t) over a VP schedule (t = 1..T, weights at index t−1, ≥ 0).
 * The t-weighted objectives of MATH.md §2 — and their difference Σ λ_t C_t.
 */
export function weightedOverSchedule(schedule: VPSchedule, weights: ArrayLike<number>, f: (t: number, level: NoiseLevel) => number): number {
  if (!schedule || schedule.kind !== 'vp') throw new InvalidArgumentError('schedule', schedule?.name ?? schedule, 'must be a VP schedule');
  requireTimestepWeights(weights, schedule);
  let s = 0;
  for (let t = 1; t <= schedule.T; t++) if (weights[t - 1] !== 0) s += weights[t - 1] * f(t, schedule.level(t));
  return s;
}

/** Σ_t λ_t ∇f(t) for vector-valued f of a fixed length. */
export function weightedVectorOverSchedule(schedule: VPSchedule, weights: ArrayLike<number>, length: number, f: (t: number, level: NoiseLevel) => Float64Array): Float64Array {
  requireTimestepWeights(weights, schedule);
  const out = new Float64Array(length);
  for (let t = 1; t <= schedule.T; t++) {
    const w = weights[t - 1];
    if (w === 0) continue;
    const g = f(t, schedule.level(t));
    for (let i = 0; i < length; i++) out[i] += w * g[i];
  }
  return out;
}

/** Σ_t λ_t DSM_t(θ_t) (one model, or one per timestep). */
export function weightedDsmAffine(models: TimestepModels<AffineScoreModel>, data: Gaussian, schedule: VPSchedule, weights: ArrayLike<number>): number {
  return weightedOverSchedule(schedule, weights, (t, lv) => dsmAffine(modelAt(models, t), data, lv).mean);
}

/** Σ_t λ_t ESM_t(θ_t). */
export function weightedEsmAffine(models: TimestepModels<AffineScoreModel>, data: Gaussian, schedule: VPSchedule, weights: ArrayLike<number>): number {
  return weightedOverSchedule(schedule, weights, (t, lv) => esmAffine(modelAt(models, t), data, lv).mean);
}

/** ∇_θ Σ_t λ_t DSM_t for one shared affine model. */
export function weightedDsmAffineGradient(model: AffineScoreModel, data: Gaussian, schedule: VPSchedule, weights: ArrayLike<number>): Float64Array {
  return weightedVectorOverSchedule(schedule, weights, model.parameterCount, (_t, lv) => dsmAffineGradient(model, data, lv));
}

/** ∇_θ Σ_t λ_t ESM_t for one shared affine model. */
export function weightedEsmAffineGradient(model: AffineScoreModel, data: Gaussian, schedule: VPSchedule, weights: ArrayLike<number>): Float64Array {
  return weightedVectorOverSchedule(schedule, weights, model.parameterCount, (_t, lv) => esmAffineGradient(model, data, lv));
}
