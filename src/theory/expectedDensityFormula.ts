import type { Gaussian } from '../gaussian/gaussian.ts';
import { integrate } from '../numerics/gaussKronrod.ts';
import { affinePredictorProbe } from './affinePredictorProbe.ts';
import { mmseNoisePredictor } from './mmseNoisePredictor.ts';
import { type NoisePredictor, type VpPoint, logSnrPanels, vpPointAtLogSnr } from './vpPoint.ts';

/*
 * The density formula averaged over x_0 ~ N(μ, Σ), for a predictor ε̂ affine in x
 * (MATH.md §3). With x_α = a x_0 + s z, x_0 = μ + L ξ, ε̂(x) = e0 + Â(x − aμ):
 *   E‖ε̂(x_α) − z‖² = ‖e0‖² + a²‖Â L‖²_F + ‖sÂ − I‖²_F.
 * Because ε* = E[z | x_α], E‖ε̂ − z‖² = E‖ε* − z‖² + E‖ε̂ − ε*‖², so
 *   E F(ε̂) = E log q(x_0) − ½ ∫ E‖ε̂(x_α) − ε*(x_α)‖² dλ  (the mismatch penalty, ≥ 0),
 * and the mismatch is E‖δ‖² = ‖δ0‖² + tr(D Σ_α Dᵀ), δ = ε̂ − ε* = δ0 + D(x − aμ).
 */

export interface ExpectedFormulaResult {
  readonly value: number;
  /** Quadrature error bound (½ Gauss–Kronrod estimate + tails). */
  readonly error: number;
}

const L_BOUND = 40;

function lambdaIntegral(f: (t: VpPoint) => number): { value: number; error: number } {
  const r = integrate((lam) => f(vpPointAtLogSnr(lam)), -L_BOUND, L_BOUND, { absTol: 1e-12, relTol: 1e-12, initialPieces: logSnrPanels(L_BOUND), maxIntervals: 400 });
  const tail = Math.abs(f(vpPointAtLogSnr(-L_BOUND))) + Math.abs(f(vpPointAtLogSnr(L_BOUND)));
  return { value: r.value, error: r.error + tail };
}

/** E_{x_0 ~ data} of the formula's value with predictor ε̂ (affine in x). */
export function expectedDensityFormula(data: Gaussian, predictor: NoisePredictor): ExpectedFormulaResult {
  const d = data.dim, Lc = data.chol.data;
  const r = lambdaIntegral((t) => {
    const { e0, A } = affinePredictorProbe(predictor, data.mean.map((m) => t.a * m), t);
    let f = -d * t.alpha;
    for (let i = 0; i < d; i++) {
      f += e0[i] * e0[i];
      for (let j = 0; j < d; j++) {
        const m = t.s * A[i * d + j] - (i === j ? 1 : 0);
        let al = 0;
        for (let k = j; k < d; k++) al += A[i * d + k] * Lc[k * d + j];
        f += m * m + t.alpha * al * al;
      }
    }
    return f;
  });
  return { value: -0.5 * d * (Math.log(2 * Math.PI) + 1) - 0.5 * r.value, error: 0.5 * r.error };
}

/**
 * ∫ w(λ) E_{x_α}‖ε̂(x_α) − ε*(x_α)‖² dλ for Gaussian data and an affine ε̂; w defaults to 1.
 * With w = ½ this is the density formula's expected deficit (see file comment).
 */
export function expectedPredictorMismatch(data: Gaussian, predictor: NoisePredictor, weight: (logSnr: number) => number = () => 1): ExpectedFormulaResult {
  const d = data.dim;
  const exact = mmseNoisePredictor(data);
  const r = lambdaIntegral((t) => {
    const c = data.mean.map((m) => t.a * m);
    const p = affinePredictorProbe(predictor, c, t);
    const q = affinePredictorProbe(exact, c, t);
    // Σ_α = αΣ + (1−α)I
    let f = 0;
    const D = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) D[i] = p.A[i] - q.A[i];
    for (let i = 0; i < d; i++) {
      const di = p.e0[i] - q.e0[i];
      f += di * di;
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < d; k++) v += D[i * d + k] * (t.alpha * data.cov.data[k * d + j] + (k === j ? t.oneMinusAlpha : 0));
        f += v * D[i * d + j];
      }
    }
    return weight(t.logSnr) * f;
  });
  return { value: r.value, error: r.error };
}
