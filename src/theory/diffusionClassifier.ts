import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { logSumExp } from '../gaussian/mixture.ts';
import { requireFiniteArray } from '../validate.ts';
import { type ReverseVariance, ddpmElbo, gaussianScoreModel, marginalPrior, standardPrior } from './elbo.ts';

/*
 * Diffusion classifier (Li & Yan 2024, application 3): p̂(c | x_0) ∝ π_c exp(ELBO_T(x_0; c)),
 * the per-class ELBO of a DDPM with the exact score of class c's conditional N(μ_c, Σ_c),
 * against the Bayes posterior p(c | x_0) ∝ π_c N(x_0; μ_c, Σ_c).
 */

export interface ClassifierOptions {
  readonly variance?: ReverseVariance;
  /** p(x_T): N(0, I) ('standard', as used in practice) or each class's own marginal ('model-marginal'). */
  readonly prior?: 'standard' | 'model-marginal';
}

function requireClasses(classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>): void {
  if (classes.length < 2) throw new InvalidArgumentError('classes', classes.length, 'need at least two classes');
  if (weights.length !== classes.length) throw new DimensionMismatchError('weights', classes.length, weights.length);
  for (let k = 0; k < weights.length; k++) if (!(weights[k] > 0)) throw new InvalidArgumentError(`weights[${k}]`, weights[k], 'must be > 0');
  requireFiniteArray('x0', x0);
  classes.forEach((c, k) => {
    if (c.dim !== x0.length) throw new DimensionMismatchError(`classes[${k}]`, x0.length, c.dim);
  });
}

function softmax(logits: Float64Array): Float64Array {
  const z = logSumExp(logits);
  return logits.map((l) => Math.exp(l - z));
}

/** p(c | x_0) ∝ π_c N(x_0; μ_c, Σ_c). */
export function bayesPosterior(classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>): Float64Array {
  requireClasses(classes, weights, x0);
  return softmax(Float64Array.from(classes, (c, k) => Math.log(weights[k]) + c.logPdf(x0)));
}

/** p̂(c | x_0) ∝ π_c exp(ELBO_T(x_0; c)). */
export function diffusionClassifierPosterior(
  classes: readonly Gaussian[], weights: ArrayLike<number>, schedule: VPSchedule, x0: ArrayLike<number>, opts: ClassifierOptions = {},
): Float64Array {
  requireClasses(classes, weights, x0);
  const logits = Float64Array.from(classes, (c, k) => {
    const prior = (opts.prior ?? 'standard') === 'standard' ? standardPrior(c.dim) : marginalPrior(c, schedule);
    const model = { score: gaussianScoreModel(c, schedule), variance: opts.variance ?? 'beta', prior };
    return Math.log(weights[k]) + ddpmElbo(model, schedule, { mean: x0 }).elbo;
  });
  return softmax(logits);
}

/** Total-variation distance ½ Σ |p − q|. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new DimensionMismatchError('q', p.length, q.length);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return 0.5 * s;
}
