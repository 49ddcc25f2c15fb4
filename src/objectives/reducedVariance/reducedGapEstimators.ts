import { type Estimate, estimateFromSamples } from '../../mc/estimate.ts';
import { antitheticEstimate } from '../../mc/antithetic.ts';
import { controlVariateEstimate } from '../../mc/controlVariate.ts';
import type { GapTerms } from './gaussianGapTerms.ts';

/**
 * Estimates of E[dsm − esm] (MATH.md §2, Theorem 1) from per-sample gap pieces.
 * Every Estimate's `variance` is per model evaluation, so the samples needed for
 * a confidence half-width h are n = (z σ / h)²: the variance ratio between two
 * estimators is their ratio of samples at equal width.
 */

/** Plain Monte Carlo: mean of A + B (DSM and ESM on common random numbers). */
export function plainGapEstimate(t: GapTerms): Estimate {
  const g = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) g[i] = t.modelFree[i] + t.modelTerm[i];
  return estimateFromSamples(g);
}

/**
 * Control variate A with its exact mean, coefficient 1: E A + mean(B).
 * Exactly unbiased; its variance is Var B (no model-free noise ‖ε‖²/s², which
 * dominates at small s).
 */
export function controlVariateGapEstimate(t: GapTerms): Estimate {
  const g = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) g[i] = t.modelFree[i] + t.modelTerm[i];
  return controlVariateEstimate(g, t.modelFree, t.modelFreeMean, 1);
}

/** Control variate A with the variance-optimal coefficient fitted on the sample (bias O(1/n)). */
export function fittedControlVariateGapEstimate(t: GapTerms): Estimate {
  const g = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) g[i] = t.modelFree[i] + t.modelTerm[i];
  return controlVariateEstimate(g, t.modelFree, t.modelFreeMean);
}

/**
 * Control variate (coefficient 1) on antithetic pairs: E A + mean over pairs of
 * (B₂ₖ + B₂ₖ₊₁)/2. Needs terms drawn with `antithetic: true`. Cancels the part of
 * B that is even in x_t − aμ (for an affine model, the bias term).
 */
export function antitheticControlVariateGapEstimate(t: GapTerms): Estimate {
  if (!t.antithetic) throw new RangeError('antitheticControlVariateGapEstimate: terms were not drawn with antithetic: true');
  const half = t.n >> 1;
  const plus = new Float64Array(half), minus = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    plus[k] = t.modelFreeMean + t.modelTerm[2 * k];
    minus[k] = t.modelFreeMean + t.modelTerm[2 * k + 1];
  }
  return antitheticEstimate(plus, minus);
}

/**
 * Two control variates with exact means: A (mean C_t, coefficient 1) and the
 * fitted-linear-model term B_lin (mean 0, coefficient fitted on the sample):
 * C_t + mean(B − β B_lin). Needs terms drawn with `linearControl`. What remains
 * is the nonlinear part of the model; for an affine model B − B_lin ≡ 0 up to the
 * pilot's fitting error, so the check then adds nothing to the closed form.
 */
export function linearControlGapEstimate(t: GapTerms): Estimate {
  if (!t.linearControl) throw new RangeError('linearControlGapEstimate: terms were not drawn with linearControl');
  const y = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) y[i] = t.modelFreeMean + t.modelTerm[i];
  return controlVariateEstimate(y, t.linearControl, 0);
}

/**
 * Rao–Blackwell: E[A + B | x_t] = C_t exactly for Gaussian data (Var 0). Given
 * for completeness: it no longer evaluates the model, so it checks nothing about
 * ŝ — use it for C_t itself, not to test Theorem 1 on a model.
 */
export function raoBlackwellGapEstimate(t: GapTerms): Estimate {
  return { mean: t.modelFreeMean, variance: 0, stderr: 0, n: t.n };
}
