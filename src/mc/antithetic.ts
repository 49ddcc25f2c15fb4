import { DimensionMismatchError } from '../errors.ts';
import { type Estimate, estimateFromSamples } from './estimate.ts';

/**
 * Antithetic estimate of E f from pairs f(ξ), f(−ξ), ξ symmetric: the mean of the
 * pair averages. `variance` is per function evaluation (2 × the variance of a pair
 * average) and `n` counts evaluations, so it compares directly with a plain
 * estimate at equal cost.
 */
export function antitheticEstimate(plus: ArrayLike<number>, minus: ArrayLike<number>): Estimate {
  const m = plus.length;
  if (minus.length !== m) throw new DimensionMismatchError('minus', m, minus.length);
  const pair = new Float64Array(m);
  for (let i = 0; i < m; i++) pair[i] = 0.5 * (plus[i] + minus[i]);
  const e = estimateFromSamples(pair);
  return { mean: e.mean, variance: 2 * e.variance, stderr: e.stderr, n: 2 * m };
}
