import { Gaussian } from '../gaussian/gaussian.ts';
import { scale } from '../linalg/index.ts';
import { minimizeScalar } from '../numerics/minimize.ts';
import type { FlowCoefficients } from './flowPath.ts';
import { cfmAffine, fmAffine, marginalVelocityModel } from './flowMatchingGaussian.ts';

/*
 * Optimizing the data distribution through the flow-matching loss with a frozen velocity model
 * (MATH.md §19.8) — Xu 2025's Corollary (DreamFusion/SDS) for flow matching. Input x₀ ~ p_φ, frozen
 * v = the exact marginal velocity of a target N(μ*, Σ*) at time t:
 *   CFM(φ) = E_{x₀~p_φ} ‖v(x_t) − u_t‖² = FM(φ) + E_φ tr Cov(u_t | x_t),
 *   FM(φ)  = E_{x_t~q_φ,t} ‖v(x_t) − v*_{φ,t}(x_t)‖² (zero exactly at p_φ = target).
 * The constant now moves with φ: for Gaussian p_φ = N(μ, Σ_φ) it is Σ_i conditionalTargetVariance(λ_i(Σ_φ)),
 * increasing in every eigenvalue, so CFM prefers a smaller input variance than the target's — the
 * minimizer along Σ_φ = ρΣ* lies at ρ < 1 (and at ρ → 0, the point mass, on the rectified path for
 * t ∈ (0, 1], by CFM = β_t² DSM and the DSM Corollary). At t = 0 of the rectified path (x_t = x₀,
 * v*(x) = −x) CFM is the constant d for every φ: the target is a minimizer, not the unique one.
 */

/** CFM(φ) with the target's exact marginal velocity frozen. */
export function distillationCfm(target: Gaussian, input: Gaussian, co: FlowCoefficients): number {
  return cfmAffine(marginalVelocityModel(target, co), input, co).mean;
}

/** FM(φ) with the target's exact marginal velocity frozen (0 at the target). */
export function distillationFm(target: Gaussian, input: Gaussian, co: FlowCoefficients): number {
  return fmAffine(marginalVelocityModel(target, co), input, co).mean;
}

/** The input law N(μ*, ρΣ*) on the variance ray. */
export function rayInput(target: Gaussian, rho: number): Gaussian {
  return new Gaussian(target.mean, scale(target.cov, rho), 'input');
}

/** argmin over ρ ∈ [lo, hi] of objective(N(μ*, ρΣ*)) and the value there (Brent). */
export function rayMinimizer(target: Gaussian, co: FlowCoefficients, objective: (t: Gaussian, i: Gaussian, co: FlowCoefficients) => number, lo = 1e-3, hi = 3): { rho: number; value: number } {
  const f = (rho: number) => objective(target, rayInput(target, rho), co);
  const rho = minimizeScalar(f, lo, hi, 1e-10);
  return { rho, value: f(rho) };
}
