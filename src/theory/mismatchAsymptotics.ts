import { vpLevel } from '../diffusion/noiseLevel.ts';
import type { ReverseVarianceKind } from '../diffusion/reverseVariance.ts';
import { scaledLinearSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, addScaledIdentity, identity, scale, zeros } from '../linalg/index.ts';
import { integrate } from '../numerics/gaussKronrod.ts';
import { requireIntegerInRange } from '../validate.ts';
import type { GaussianMoments } from './gaussianPropagation.ts';
import { expectedSquaredMismatch, gaussianScoreMap, matchedGaussianGuidance, mismatchDecomposition } from './mismatch.ts';

/*
 * Liang et al. 2025, Theorem 1's split of the mismatch into a vanishing and an asymptotic part, and
 * "linear in d" on correlated targets (MATH.md §13.9). Gaussian target N(m̃, S̃) sampled with a
 * mismatched score — the training distribution's, N(m, S) — on the scaled-linear schedule
 * β_t = (1000/T)·(β_s + (β_e − β_s)(t−1)/(T−1)), whose continuum limit is β(τ) = 1000(β_s + (β_e − β_s)τ),
 * ᾱ(τ) = exp(−∫₀^τ β). The accumulated mismatch of the exact path KL (mismatch.ts, σ_t² = (1−α_t)/α_t)
 *   W_bias(T) = Σ_t (1−α_t)/2 · E_{q̃_t}‖Δ_t‖²
 * tends to the continuous-time integral
 *   W_bias^∞ = ½ ∫₀¹ β(τ) E_{q̃(ᾱ(τ))}‖Δ(ᾱ(τ))‖² dτ,
 * the O(1) asymptotic bias; W_vanish(T) := W_bias(T) − W_bias^∞ is the part that vanishes (a Riemann
 * sum error plus the O(β²) gap between 1 − α_t and β(τ)dτ: O(1/T)).
 */

/** The scaled-linear β(τ) of scheduleName 'vp-scaled-linear' (default range 1e-4…0.02) as T → ∞. */
export interface ContinuumSchedule {
  readonly betaStart: number;
  readonly betaEnd: number;
}
export const DEFAULT_CONTINUUM: ContinuumSchedule = { betaStart: 1e-4, betaEnd: 0.02 };

function betaAt(c: ContinuumSchedule, tau: number): number {
  return 1000 * (c.betaStart + (c.betaEnd - c.betaStart) * tau);
}

function alphaBarAt(c: ContinuumSchedule, tau: number): number {
  return Math.exp(-1000 * (c.betaStart * tau + 0.5 * (c.betaEnd - c.betaStart) * tau * tau));
}

function marginalAtAlphaBar(g: GaussianMoments, ab: number): Gaussian {
  const r = Math.sqrt(ab);
  return new Gaussian(g.mean.map((v) => r * v), addScaledIdentity(scale(g.cov, ab), 1 - ab), 'marginal');
}

/** E_{q̃(ᾱ)}‖∇log q̃ − ∇log q‖² at one ᾱ: target vs training marginals (closed form). */
export function mismatchAtAlphaBar(target: GaussianMoments, training: Gaussian, ab: number): number {
  return expectedSquaredMismatch(marginalAtAlphaBar(target, ab), gaussianScoreMap(marginalAtAlphaBar(training, ab))).mean;
}

/** W_bias^∞ = ½∫₀¹ β(τ) E‖Δ(ᾱ(τ))‖² dτ (adaptive Gauss–Kronrod with its error estimate). */
export function continuumAccumulatedMismatch(target: GaussianMoments, training: Gaussian, c: ContinuumSchedule = DEFAULT_CONTINUUM): { value: number; error: number } {
  const r = integrate((tau) => 0.5 * betaAt(c, tau) * mismatchAtAlphaBar(target, training, alphaBarAt(c, tau)), 0, 1, { absTol: 1e-13, relTol: 1e-12, initialPieces: 16 });
  return { value: r.value, error: r.error };
}

/** W_bias(T) of the exact path decomposition (training score as guidance, seed variance). */
export function discreteAccumulatedMismatch(target: GaussianMoments, training: Gaussian, T: number, variance: ReverseVarianceKind = 'seed'): number {
  requireIntegerInRange('T', T, 2, 1e6);
  const s = scaledLinearSchedule(T);
  return mismatchDecomposition(s, target, matchedGaussianGuidance(training, s), variance).bias;
}

/** W_vanish(T) = W_bias(T) − W_bias^∞ over a T grid, and the final KL(Q̃_0‖P̂_0) at each T. */
export function vanishingMismatch(target: GaussianMoments, training: Gaussian, Ts: readonly number[]): { T: number; wBias: number; wVanish: number; finalKL: number }[] {
  const inf = continuumAccumulatedMismatch(target, training).value;
  return Ts.map((T) => {
    const s = scaledLinearSchedule(T);
    const r = mismatchDecomposition(s, target, matchedGaussianGuidance(training, s), 'seed');
    return { T, wBias: r.bias, wVanish: r.bias - inf, finalKL: r.finalKL };
  });
}

// ── d-families of correlated (non-product) Gaussians ──────────────────────────────────────────

/** AR(1) / Toeplitz covariance v·ρ^{|i−j|}, |ρ| < 1 (spectrum in [v(1−ρ)/(1+ρ), v(1+ρ)/(1−ρ)] for every d). */
export function toeplitzCovariance(d: number, rho: number, v = 1): Matrix {
  requireIntegerInRange('d', d, 1, 4096);
  if (!(Math.abs(rho) < 1)) throw new InvalidArgumentError('rho', rho, 'must lie in (−1, 1)');
  const m = zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.data[i * d + j] = v * rho ** Math.abs(i - j);
  return m;
}

/** Equicorrelated covariance v((1−ρ)I + ρ11ᵀ), ρ ∈ (−1/(d−1), 1): top eigenvalue v(1 + (d−1)ρ) grows with d. */
export function equicorrelatedCovariance(d: number, rho: number, v = 1): Matrix {
  requireIntegerInRange('d', d, 1, 4096);
  if (!(rho < 1 && rho > (d > 1 ? -1 / (d - 1) : -Infinity))) throw new InvalidArgumentError('rho', rho, 'must lie in (−1/(d−1), 1)');
  const m = zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.data[i * d + j] = v * (i === j ? 1 : rho);
  return m;
}

/** A target/training pair for each d. */
export type DimensionFamily = (d: number) => { target: Gaussian; training: Gaussian };

/** W_bias(d) at fixed T for a family (exact). */
export function biasAgainstDimension(family: DimensionFamily, ds: readonly number[], T: number): { d: number; wBias: number; perDimension: number }[] {
  return ds.map((d) => {
    const { target, training } = family(d);
    const w = discreteAccumulatedMismatch(target, training, T);
    return { d, wBias: w, perDimension: w / d };
  });
}

/** Figure families: AR(1) target vs AR(1) training of another correlation; equicorrelated vs identity; a single mismatched coordinate. */
export const DIMENSION_FAMILIES: Readonly<Record<string, DimensionFamily>> = {
  'AR(1) ρ = 0.6 vs ρ = 0.2, means 0.3·1 vs 0': (d) => ({
    target: new Gaussian(new Float64Array(d).fill(0.3), toeplitzCovariance(d, 0.6)),
    training: new Gaussian(new Float64Array(d), toeplitzCovariance(d, 0.2)),
  }),
  'equicorrelated ρ = 0.5 vs identity': (d) => ({
    target: new Gaussian(new Float64Array(d), equicorrelatedCovariance(d, 0.5)),
    training: new Gaussian(new Float64Array(d), identity(d)),
  }),
  'one mismatched coordinate (mean 1 on x_1)': (d) => {
    const m = new Float64Array(d);
    m[0] = 1;
    return { target: new Gaussian(m, identity(d)), training: new Gaussian(new Float64Array(d), identity(d)) };
  },
};

/** ᾱ at continuum time τ (exposed for tests). */
export function continuumAlphaBar(tau: number, c: ContinuumSchedule = DEFAULT_CONTINUUM): number {
  return alphaBarAt(c, tau);
}

/** vpLevel at continuum time τ (exposed for figures). */
export function continuumLevel(tau: number, c: ContinuumSchedule = DEFAULT_CONTINUUM) {
  return vpLevel(alphaBarAt(c, tau));
}
