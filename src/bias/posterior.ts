import { InvalidArgumentError, NotSPDError } from '../errors.ts';
import { type Matrix, cholesky, zeros } from '../linalg/index.ts';
import { symmetricSpectrum } from '../linalg/tridiagonalEigen.ts';
import { type CovarianceSpectrum, rankTolerance } from './spectrum.ts';

/**
 * A spectrum as the per-timestep sums use it (MATH.md §2.1): explicit eigenvalues
 * plus `restCount` copies of `restValue` (the zero eigenvalues of Σ, lifted to ε by
 * a regularizer). Every eigenvalue is ≥ 0.
 */
export interface EffectiveSpectrum {
  readonly values: Float64Array;
  readonly restCount: number;
  readonly restValue: number;
}

/** The spectrum of Σ + εI. */
export function regularizedSpectrum(s: CovarianceSpectrum, regularization: number): EffectiveSpectrum {
  requireRegularization(regularization);
  const values = new Float64Array(s.values.length);
  for (let i = 0; i < values.length; i++) values[i] = Math.max(0, s.values[i] + regularization);
  return { values, restCount: s.zeros, restValue: regularization };
}

export function requireRegularization(eps: number, field = 'regularization'): number {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new InvalidArgumentError(field, eps, 'must be a finite number ≥ 0');
  return eps;
}

/**
 * The spectrum of Σ_{x|c} for the encoder c = Bx_0 + b + τξ on data with covariance
 * Σ_ε = Σ + εI (MATH.md §2 Theorem 2, §2.1): in Σ's eigenbasis, with Λ = diag(λ + ε) and
 * G = VᵀBᵀ,
 *   Σ_{x|c} = Λ − ΛG(GᵀΛG + τ²I)⁻¹GᵀΛ = Λ − WWᵀ,  W = ΛG R⁻ᵀ,  RRᵀ = GᵀΛG + τ²I
 * (the Kalman form: no Σ⁻¹, so a singular Σ is fine). It does not depend on t, so one
 * eigendecomposition of this m × m matrix (m = explicit eigenvalues of Σ, O(m³) once)
 * makes the input-bias term a sum over its eigenvalues at every timestep. Eigenvectors of
 * Σ that the encoder rows do not touch keep their eigenvalue (0, or ε): `restCount`.
 */
export function encoderPosteriorSpectrum(s: CovarianceSpectrum, tau: number, regularization: number, onProgress?: (done: number, total: number) => void): EffectiveSpectrum {
  requireRegularization(regularization);
  if (!(Number.isFinite(tau) && tau > 0)) throw new InvalidArgumentError('encoder.tau', tau, 'must be a finite number > 0');
  const G = s.encoderCoordinates;
  if (!G) throw new InvalidArgumentError('encoder', 'no eigenbasis', 'an encoder needs the data covariance or samples (not eigenvalues alone)');
  const m = G.rows, k = G.cols;
  const lam = new Float64Array(m);
  for (let i = 0; i < m; i++) lam[i] = Math.max(0, s.values[i] + regularization);
  // S = GᵀΛG + τ²I (k × k), Cholesky R.
  const S = zeros(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let acc = 0;
      for (let i = 0; i < m; i++) acc += G.data[i * k + a] * lam[i] * G.data[i * k + b];
      S.data[a * k + b] = acc;
      S.data[b * k + a] = acc;
    }
    S.data[a * k + a] += tau * tau;
  }
  const R = cholesky(S, 'encoder (GᵀΛG + τ²I)');
  // W = ΛG R⁻ᵀ: row i solves R w = (ΛG)_iᵀ (forward substitution).
  const W = zeros(m, k);
  for (let i = 0; i < m; i++) {
    for (let a = 0; a < k; a++) {
      let acc = lam[i] * G.data[i * k + a];
      for (let b = 0; b < a; b++) acc -= R.data[a * k + b] * W.data[i * k + b];
      W.data[i * k + a] = acc / R.data[a * k + a];
    }
  }
  // M = Λ − WWᵀ, lower triangle.
  const M: Matrix = zeros(m, m);
  for (let i = 0; i < m; i++) {
    const ri = i * k;
    for (let j = 0; j <= i; j++) {
      const rj = j * k;
      let acc = 0;
      for (let a = 0; a < k; a++) acc += W.data[ri + a] * W.data[rj + a];
      M.data[i * m + j] = (i === j ? lam[i] : 0) - acc;
    }
  }
  const values = symmetricSpectrum(M, { field: 'encoder posterior covariance Σ_{x|c}', overwrite: true, ...(onProgress ? { onProgress } : {}) }).values;
  // Σ_{x|c} ⪯ Σ_ε is PSD: rounding-level negatives are 0; anything else is a bug, not an input error.
  const tol = rankTolerance(Math.max(values[0] ?? 0, lam[0] ?? 0), m + k);
  for (let i = 0; i < values.length; i++) {
    if (values[i] < -tol) throw new NotSPDError('encoder posterior covariance Σ_{x|c}', `eigenvalue ${values[i]} < −${tol} (internal error: Σ_{x|c} is PSD by construction)`);
    if (values[i] < 0) values[i] = 0;
  }
  return { values, restCount: s.zeros, restValue: regularization };
}
