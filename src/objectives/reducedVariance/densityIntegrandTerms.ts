import type { Gaussian } from '../../gaussian/gaussian.ts';
import { DimensionMismatchError } from '../../errors.ts';
import type { NoisePredictor, VpPoint } from '../../theory/vpPoint.ts';
import { requireFiniteArray, requireIntegerInRange } from '../../validate.ts';
import { type Estimate, estimateFromSamples } from '../../mc/estimate.ts';
import { controlVariateEstimate } from '../../mc/controlVariate.ts';
import type { Rng } from '../../mc/rng.ts';
import { type SymmetricEigen, symmetricEigen } from '../../linalg/symmetricEigen.ts';

/**
 * Per-sample values of the density-formula integrand's inner expectation
 * E_z‖ε̂(√α x_0 + √(1−α) z; α) − z‖² (MATH.md §3, Li & Yan 2024) for a noise
 * predictor ε̂, with two controls of exactly known mean:
 *  - the oracle control ‖ε*(x) − z‖², ε* the MMSE predictor of Gaussian data
 *    N(μ, Σ): in the eigenframe Σ = QΛQᵀ it is ‖Lz' + l‖² with
 *    Lᵢ = −αλᵢ/(αλᵢ + 1 − α), lᵢ = √(α(1−α)) δᵢ/(αλᵢ + 1 − α), δ = Qᵀ(x_0 − μ),
 *    mean Σ Lᵢ² + lᵢ² (MATH.md §1, affine-Gaussian moments);
 *  - ‖z‖² − d (mean 0), the control theory/densityFormula.ts uses (× α).
 */
export interface DensityIntegrandTerms {
  readonly n: number;
  readonly values: Float64Array;
  readonly oracle: Float64Array;
  readonly oracleMean: number;
  /**
   * oracle − oracleMean = Σᵢ Lᵢ²(z'ᵢ² − 1) + 2Lᵢlᵢz'ᵢ, formed without the cancellation: when
   * the data variance is small, Lᵢ is tiny, the fitted β ≈ (ε̂'s z²-coefficient)/Lᵢ² is huge
   * (1e7 at λ = 0.0022, α = 0.022) and multiplies the rounding of oracle − oracleMean (1e-17)
   * into a 1e-10 bias (varianceReduction seed 464).
   */
  readonly oracleCentered: Float64Array;
  readonly zNormCentered: Float64Array;
  readonly alpha: number;
  /** Rows 2k, 2k+1 use z and −z. */
  readonly antithetic: boolean;
}

/** Draws n values (pointwise predictor calls; the predictor sees original coordinates). */
export function sampleDensityIntegrandTerms(
  data: Gaussian, x0: ArrayLike<number>, t: VpPoint, predictor: NoisePredictor, rng: Rng, n: number,
  opts: { antithetic?: boolean; eigen?: SymmetricEigen } = {},
): DensityIntegrandTerms {
  const d = data.dim;
  if (x0.length !== d) throw new DimensionMismatchError('x0', d, x0.length);
  requireFiniteArray('x0', x0);
  requireIntegerInRange('n', n, 2, 1e8);
  const antithetic = opts.antithetic ?? false;
  if (antithetic && n % 2 !== 0) throw new DimensionMismatchError('n (antithetic pairs)', 'an even number', n);
  const eig = opts.eigen ?? symmetricEigen(data.cov, 'data.cov');
  const Q = eig.vectors.data;
  const { alpha, oneMinusAlpha: om, a, s } = t;
  const L = new Float64Array(d), l = new Float64Array(d);
  let oracleMean = 0;
  for (let i = 0; i < d; i++) {
    let delta = 0;
    for (let k = 0; k < d; k++) delta += Q[k * d + i] * (x0[k] - data.mean[k]);
    const den = alpha * Math.max(eig.values[i], 0) + om;
    L[i] = -(alpha * Math.max(eig.values[i], 0)) / den;
    l[i] = (a * s * delta) / den;
    oracleMean += L[i] * L[i] + l[i] * l[i];
  }
  const values = new Float64Array(n), oracle = new Float64Array(n), oracleCentered = new Float64Array(n), zNormCentered = new Float64Array(n);
  const zf = new Float64Array(d), z = new Float64Array(d), x = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    if (antithetic && k % 2 === 1) for (let i = 0; i < d; i++) zf[i] = -zf[i];
    else rng.fillNormal(zf);
    let orc = 0, orcC = 0, zz = 0;
    for (let i = 0; i < d; i++) {
      let zi = 0;
      for (let j = 0; j < d; j++) zi += Q[i * d + j] * zf[j];
      z[i] = zi;
      x[i] = a * x0[i] + s * zi;
      const r = L[i] * zf[i] + l[i];
      orc += r * r;
      orcC += L[i] * L[i] * (zf[i] * zf[i] - 1) + 2 * L[i] * l[i] * zf[i];
      zz += zf[i] * zf[i];
    }
    const e = predictor(x, t);
    let v = 0;
    for (let i = 0; i < d; i++) { const r = e[i] - z[i]; v += r * r; }
    values[k] = v;
    oracle[k] = orc;
    oracleCentered[k] = orcC;
    zNormCentered[k] = zz - d;
  }
  return { n, values, oracle, oracleMean, oracleCentered, zNormCentered, alpha, antithetic };
}

function pairMeans(x: Float64Array): Float64Array {
  const h = x.length >> 1, out = new Float64Array(h);
  for (let k = 0; k < h; k++) out[k] = 0.5 * (x[2 * k] + x[2 * k + 1]);
  return out;
}
/** Per-evaluation variance from pair means: 2 × Var(pair mean); n counts evaluations. */
function perEvaluation(e: Estimate): Estimate {
  return { mean: e.mean, variance: 2 * e.variance, stderr: e.stderr, n: 2 * e.n };
}

/** Plain: mean of ‖ε̂ − z‖² over independent z. */
export function plainDensityIntegrandEstimate(t: DensityIntegrandTerms): Estimate {
  return estimateFromSamples(t.values);
}

/** The estimator of theory/densityFormula.ts: antithetic pairs and α(‖z‖² − d) with coefficient 1. */
export function antitheticNormControlDensityIntegrandEstimate(t: DensityIntegrandTerms): Estimate {
  if (!t.antithetic) throw new RangeError('antitheticNormControlDensityIntegrandEstimate: terms were not drawn with antithetic: true');
  const y = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) y[i] = t.values[i] - t.alpha * t.zNormCentered[i];
  return perEvaluation(estimateFromSamples(pairMeans(y)));
}

/**
 * Oracle control variate: mean of ‖ε̂ − z‖² − β(‖ε* − z‖² − E‖ε* − z‖²), β fitted
 * (bias O(1/n)); on antithetic terms, applied to pair means. Exact for ε̂ = ε*
 * (variance 0 — the check is then the closed form); for a learned ε̂ the variance
 * left is that of ‖ε̂ − z‖² not explained by the oracle's.
 */
export function oracleControlDensityIntegrandEstimate(t: DensityIntegrandTerms): Estimate {
  if (!t.antithetic) return controlVariateEstimate(t.values, t.oracleCentered, 0);
  return perEvaluation(controlVariateEstimate(pairMeans(t.values), pairMeans(t.oracleCentered), 0));
}
