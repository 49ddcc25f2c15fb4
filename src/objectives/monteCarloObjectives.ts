import type { DataDistribution } from '../gaussian/mixture.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import type { Estimate } from '../mc/estimate.ts';
import type { Rng } from '../mc/rng.ts';
import { type ConditionalScoreModel, type ScoreModel, type TimestepModels, modelAt } from '../models/scoreModel.ts';
import { requireTimestepWeights } from '../theory/vincent.ts';
import { exactMarginalScore } from '../theory/vincentScoreFunction.ts';
import { type ConditionedGaussianData, exactConditionalScore } from './conditionedData.ts';
import { forwardDrawEstimate } from './forwardDraws.ts';
import { requireConditionalMcArguments, requireMcArguments } from './mcValidation.ts';

/*
 * Seeded Monte Carlo DSM and ESM for any score model (MATH.md §2). Every draw
 * comes from `rng`; pass a generator seeded from the generated case to replay.
 */

/** DSM = E_{x_0, ε}‖s(x_t) + ε/s‖². */
export function dsmMonteCarlo(model: ScoreModel, data: DataDistribution, level: NoiseLevel, rng: Rng, n: number): Estimate {
  requireMcArguments(model, data, level, n);
  const d = data.dim, invS = 1 / level.s;
  const b = { x0: new Float64Array(d), eps: new Float64Array(d), xt: new Float64Array(d) };
  const out = new Float64Array(d), xi = new Float64Array(d);
  return forwardDrawEstimate(level, rng, n, b, () => data.sampleInto(rng, b.x0, xi), () => {
    model.evaluate(b.xt, out);
    return squaredDistance(out, b.eps, -invS);
  });
}

/** ESM = E_{x_t ~ q_t}‖s(x_t) − ∇log q_t(x_t)‖² with the exact marginal score. */
export function esmMonteCarlo(model: ScoreModel, data: DataDistribution, level: NoiseLevel, rng: Rng, n: number): Estimate {
  requireMcArguments(model, data, level, n);
  const d = data.dim;
  const score = exactMarginalScore(data, level);
  const b = { x0: new Float64Array(d), eps: new Float64Array(d), xt: new Float64Array(d) };
  const out = new Float64Array(d), g = new Float64Array(d), xi = new Float64Array(d);
  return forwardDrawEstimate(level, rng, n, b, () => data.sampleInto(rng, b.x0, xi), () => {
    model.evaluate(b.xt, out);
    score(b.xt, g);
    return squaredDistance(out, g, 1);
  });
}

/** Conditional DSM = E‖s(x_t, c) + ε/s‖², (x_0, c) from the joint. */
export function conditionalDsmMonteCarlo(model: ConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel, rng: Rng, n: number): Estimate {
  requireConditionalMcArguments(model, cd, level, n);
  const d = cd.dataDim, k = cd.condDim, invS = 1 / level.s;
  const z = new Float64Array(d + k), zi = new Float64Array(d + k);
  const c = z.subarray(d);
  const b = { x0: z.subarray(0, d), eps: new Float64Array(d), xt: new Float64Array(d) };
  const out = new Float64Array(d);
  return forwardDrawEstimate(level, rng, n, b, () => cd.joint.sampleInto(rng, z, zi), () => {
    model.evaluate(b.xt, c, out);
    return squaredDistance(out, b.eps, -invS);
  });
}

/** Conditional ESM = E‖s(x_t, c) − ∇log q(x_t|c)‖². */
export function conditionalEsmMonteCarlo(model: ConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel, rng: Rng, n: number): Estimate {
  requireConditionalMcArguments(model, cd, level, n);
  const d = cd.dataDim, k = cd.condDim;
  const score = exactConditionalScore(cd, level);
  const z = new Float64Array(d + k), zi = new Float64Array(d + k);
  const c = z.subarray(d);
  const b = { x0: z.subarray(0, d), eps: new Float64Array(d), xt: new Float64Array(d) };
  const g = new Float64Array(d), out = new Float64Array(d);
  return forwardDrawEstimate(level, rng, n, b, () => cd.joint.sampleInto(rng, z, zi), () => {
    model.evaluate(b.xt, c, out);
    score(b.xt, c, g);
    return squaredDistance(out, g, 1);
  });
}

/** ‖u − k·v‖² (k = −1/s: the DSM residual s + ε/s; k = 1: the ESM residual s − ∇log q). */
export function squaredDistance(u: Float64Array, v: Float64Array, k: number): number {
  let q = 0;
  for (let i = 0; i < u.length; i++) {
    const r = u[i] - k * v[i];
    q += r * r;
  }
  return q;
}

/**
 * Σ_t λ_t f_t by stratified sampling over t: n_t ∝ λ_t draws at each t with λ_t > 0.
 */
export function weightedMonteCarlo(
  schedule: VPSchedule, weights: ArrayLike<number>, rng: Rng, n: number,
  estimateAt: (t: number, level: NoiseLevel, rng: Rng, count: number) => Estimate,
): Estimate {
  requireTimestepWeights(weights, schedule);
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  // Stratified allocation: n_t ∝ λ_t (at least 2 draws for each t with λ_t > 0),
  // combined mean Σ λ_t mean_t, variance of the combined mean Σ λ_t² var_t / n_t.
  let mean = 0, varOfMean = 0, used = 0;
  const tRng = rng.fork('weighted');
  for (let t = 1; t <= schedule.T; t++) {
    const w = weights[t - 1];
    if (w === 0) continue;
    const nt = Math.max(2, Math.round((n * w) / total));
    const e = estimateAt(t, schedule.level(t), tRng.fork(t), nt);
    mean += w * e.mean;
    varOfMean += (w * w * e.variance) / e.n;
    used += e.n;
  }
  return { mean, stderr: Math.sqrt(varOfMean), variance: varOfMean * used, n: used };
}

/** Σ_t λ_t DSM_t by stratified Monte Carlo (one model, or one per timestep). */
export function weightedDsmMonteCarlo(models: TimestepModels<ScoreModel>, data: DataDistribution, schedule: VPSchedule, weights: ArrayLike<number>, rng: Rng, n: number): Estimate {
  return weightedMonteCarlo(schedule, weights, rng, n, (t, lv, r, nt) => dsmMonteCarlo(modelAt(models, t), data, lv, r, nt));
}

/** Σ_t λ_t ESM_t by stratified Monte Carlo. */
export function weightedEsmMonteCarlo(models: TimestepModels<ScoreModel>, data: DataDistribution, schedule: VPSchedule, weights: ArrayLike<number>, rng: Rng, n: number): Estimate {
  return weightedMonteCarlo(schedule, weights, rng, n, (t, lv, r, nt) => esmMonteCarlo(modelAt(models, t), data, lv, r, nt));
}
