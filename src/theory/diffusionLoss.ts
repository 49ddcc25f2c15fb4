import { gaussianKL } from '../gaussian/klDivergence.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { requireFiniteArray } from '../validate.ts';
import { type DensityFormulaOptions, densityFormulaLogDensity } from './densityFormula.ts';
import { expectedPredictorMismatch } from './expectedDensityFormula.ts';
import { mmseNoisePredictor } from './mmseNoisePredictor.ts';
import type { NoisePredictor } from './vpPoint.ts';

/*
 * MAR's per-token diffusion loss (Li et al. 2024, via Li & Yan 2024 application 4):
 *   L_w(x | z) = ∫ w(λ) E_ε ‖ε − ε_θ(x_λ | λ, z)‖² dλ.
 * With the density formula's weight w = ½ (and its predictor-independent centring),
 *   −log p(x | z) = (d/2) log(2πe) + ½ ∫ (E‖ε − ε*‖² − d σ(λ)) dλ,
 * so the formula-weighted loss is the token NLL up to a constant, and for any ε_θ its
 * data average exceeds the true NLL by ½ ∫ E‖ε_θ − ε*‖² dλ. MAR trains with t ~ U[0, 1]
 * on the cosine schedule ᾱ(t) = cos²(πt/2): λ = 2 log cot(πt/2), i.e. the weight
 *   w_MAR(λ) = dt/dλ = 1 / (2π cosh(λ/2)),
 * which is not constant: the MAR loss is a reweighted surrogate.
 */

/** Density of λ under MAR's t ~ U[0, 1] with ᾱ(t) = cos²(πt/2). */
export function marCosineWeight(logSnr: number): number {
  return 1 / (2 * Math.PI * Math.cosh(0.5 * logSnr));
}

/** The token NLL −log p(x|z) implied by a noise predictor through the density formula. */
export function tokenNllFromPredictor(x: ArrayLike<number>, predictor: NoisePredictor, options: DensityFormulaOptions = {}) {
  requireFiniteArray('x', x);
  const r = densityFormulaLogDensity(x, predictor, options);
  return { nll: -r.logDensity, quadratureError: r.quadratureError, statisticalError: r.statisticalError };
}

/**
 * Excess expected loss of predicting with candidate's MMSE predictor when tokens follow
 * `data`: ∫ w(λ) E‖ε_cand − ε*‖² dλ (w = ½: equals KL(data ‖ candidate); w = w_MAR: MAR's loss excess).
 */
export function expectedLossExcess(data: Gaussian, candidate: Gaussian, weighting: 'density-formula' | 'mar-cosine') {
  const w = weighting === 'density-formula' ? () => 0.5 : marCosineWeight;
  return expectedPredictorMismatch(data, mmseNoisePredictor(candidate), w);
}

