import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Estimate, estimateFromSamples } from './estimate.ts';

/**
 * Control-variate estimate of E Y from pairs (yᵢ, cᵢ) with E C = `controlMean`
 * known exactly: mean of yᵢ − β(cᵢ − E C). Unbiased for every fixed β; pass
 * `coefficient` for exact unbiasedness. Omitted, β = Cov(Y, C)/Var(C) is fitted on
 * the same sample (the variance-minimizing choice; bias O(1/n)). The returned
 * variance is the sample variance of the adjusted values (per draw).
 */
export function controlVariateEstimate(y: ArrayLike<number>, control: ArrayLike<number>, controlMean: number, coefficient?: number): Estimate {
  const n = y.length;
  if (control.length !== n) throw new DimensionMismatchError('control', n, control.length);
  if (!Number.isFinite(controlMean)) throw new InvalidArgumentError('controlMean', controlMean, 'must be finite');
  let beta = coefficient;
  if (beta === undefined) {
    let my = 0, mc = 0;
    for (let i = 0; i < n; i++) { my += y[i]; mc += control[i]; }
    my /= n; mc /= n;
    let cov = 0, vc = 0;
    for (let i = 0; i < n; i++) { const dc = control[i] - mc; cov += (y[i] - my) * dc; vc += dc * dc; }
    beta = vc > 0 ? cov / vc : 0;
  } else if (!Number.isFinite(beta)) {
    throw new InvalidArgumentError('coefficient', beta, 'must be finite');
  }
  const adj = new Float64Array(n);
  for (let i = 0; i < n; i++) adj[i] = y[i] - beta * (control[i] - controlMean);
  return estimateFromSamples(adj);
}
