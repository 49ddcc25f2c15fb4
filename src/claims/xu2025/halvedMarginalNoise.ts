import type { PreparedGaussianGap } from '../../objectives/reducedVariance/gaussianGapTerms.ts';

/**
 * Negative control for the reduced-variance gap checks: the same kernel, but
 * "ESM against the wrong marginal" — the marginal score of noise s/2,
 * σ_w = −u/(a²λ + s²/4) in the eigenframe — used for both per-draw terms, with
 * the model-free term's exact mean recomputed for that score:
 * E[‖ε/s‖² − ‖σ_w‖²] = d/s² − Σᵢ (a²λᵢ + s²)/(a²λᵢ + s²/4)².
 * Its mean differs from C_t exactly as the plain wrong-marginal estimator's does.
 */
export function withHalvedMarginalNoise(prep: PreparedGaussianGap): PreparedGaussianGap {
  const { s } = prep.level, d = prep.dim;
  const precision = new Float64Array(d);
  let modelFreeMean = d / (s * s);
  for (let i = 0; i < d; i++) {
    const signal = prep.signalScale[i] ** 2;
    precision[i] = 1 / (signal + 0.25 * s * s);
    modelFreeMean -= precision[i] ** 2 * (signal + s * s);
  }
  return { ...prep, marginalPrecision: precision, modelFreeMean };
}
