import type { VPSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { requireFinite, requireIntegerInRange } from '../validate.ts';
import { ddpmChain } from './ddpmChain.ts';

/*
 * An explicit bound on the error of the density formula on a DDPM grid (MATH.md §13.8). With the integrand
 * g(α) of Theorem 1 (log q(x_0) = −(d/2) log 2πe − ½∫₀¹ g) and the grid ᾱ_T < … < ᾱ_0 = 1, Δ_t = ᾱ_{t−1} − ᾱ_t,
 * the formula F_T = −(d/2) log 2πe − ½ S_T sums S_T = Σ_t g(ᾱ_t)Δ_t ('riemann': weight β_t/(α_t(1 − ᾱ_t)) on
 * the DSM term) or Σ_t α_t g(ᾱ_t)Δ_t ('ddpm': β_t/(1 − ᾱ_t)). Each cell errs by |∫_{cell}(g(ᾱ_t) − g)| ≤ Δ_t·TV_cell(g),
 * the dropped [0, ᾱ_T] by ᾱ_T sup|g|, and 'ddpm' moves S_T by Σ_t β_t g(ᾱ_t)Δ_t, so
 *   |F_T(x_0) − log q(x_0)| ≤ ½[max_t Δ_t · TV_{[0,1]}(g) + ᾱ_T sup|g| + ('ddpm') sup|g| Σ_t β_tΔ_t].
 * It vanishes exactly when max_t Δ_t, ᾱ_T and Σ_t β_tΔ_t do. On the cosine schedule (cosineRateConstants)
 * T·max_t Δ_t ≤ M₁ and T·Σ_t β_tΔ_t ≤ 6M₃² for every T: the error is at most a constant over T, with the constant.
 */

export type DiscreteFormulaWeight = 'riemann' | 'ddpm';

export interface DiscreteFormulaErrorBound {
  /** ½[max Δ_t·TV + ᾱ_T sup|g| + (ddpm) sup|g|Σβ_tΔ_t]. */
  readonly bound: number;
  /** max_t (ᾱ_{t−1} − ᾱ_t): the largest cell of the grid. */
  readonly maxStep: number;
  /** Σ_t β_t(ᾱ_{t−1} − ᾱ_t): what the 'ddpm' weight moves, per unit of sup|g|. */
  readonly weightShift: number;
  readonly alphaBarT: number;
}

/** The bound for an integrand with total variation `tv` and supremum `sup` on [0, 1] (e.g. gaussianDensityIntegrand). */
export function discreteFormulaErrorBound(integrand: { readonly totalVariation: number; readonly supremum: number }, schedule: VPSchedule, weight: DiscreteFormulaWeight = 'riemann'): DiscreteFormulaErrorBound {
  const tv = requireFinite('integrand.totalVariation', integrand.totalVariation);
  const sup = requireFinite('integrand.supremum', integrand.supremum);
  if (tv < 0 || sup < 0) throw new InvalidArgumentError('integrand', { tv, sup }, 'total variation and supremum must be ≥ 0');
  if (weight !== 'riemann' && weight !== 'ddpm') throw new InvalidArgumentError('weight', weight, "must be 'riemann' or 'ddpm'");
  const ch = ddpmChain(schedule);
  let maxStep = 0, weightShift = 0;
  for (let t = 1; t <= ch.T; t++) {
    const step = ch.a2[t - 1] - ch.a2[t];
    maxStep = Math.max(maxStep, step);
    weightShift += ch.beta[t] * step;
  }
  const alphaBarT = ch.a2[ch.T];
  const bound = 0.5 * (maxStep * tv + alphaBarT * sup + (weight === 'ddpm' ? sup * weightShift : 0));
  return { bound, maxStep, weightShift, alphaBarT };
}

/**
 * The cosine schedule's rate constants (ᾱ(τ) = A(τ) = cos²θ/cos²θ₀, θ = (τ + s)/(1 + s)·π/2, β clipped at 0.999 on
 * the last step only): with M₁ = sup|A'| = π/(2(1 + s)cos²θ₀), M₃ = sup|(√A)'| = π/(2(1 + s)cos θ₀) and A₁ = A(1),
 *   T·max_t Δ_t ≤ M₁ + T·A₁,   T·Σ_t β_tΔ_t ≤ 6M₃² + 2T·A₁
 * (Δ_t ≤ M₁/T by the mean value theorem; β_tΔ_t = Δ_t²/ᾱ_{t−1} ≤ 4(√ᾱ_{t−1} − √ᾱ_t)² ≤ 4M₃²/T² for t < T, and the clipped
 * last step adds ≤ ᾱ_{T−1} ≤ (M₃/T + √A₁)²). A₁ ≈ 3.7e-33 for s = 0.008.
 */
export function cosineRateConstants(T: number, offset = 0.008): { readonly maxStep: number; readonly weightShift: number } {
  requireIntegerInRange('T', T, 1, 1e7);
  requireFinite('offset', offset);
  const theta0 = (offset / (1 + offset)) * (Math.PI / 2);
  const m1 = Math.PI / (2 * (1 + offset) * Math.cos(theta0) ** 2);
  const m3 = Math.PI / (2 * (1 + offset) * Math.cos(theta0));
  const a1 = Math.cos(Math.PI / 2) ** 2 / Math.cos(theta0) ** 2;
  return { maxStep: m1 + T * a1, weightShift: 6 * m3 * m3 + 2 * T * a1 };
}

/**
 * Rounding of F_T: T + 32 additions of terms of total size `magnitude` (discreteDensityFormula's), each term
 * computed through solves with αΣ + (1 − α)I to ≈ 16·d·κ(Σ)·u relative, beside log q and (d/2) log 2πe.
 */
export function discreteFormulaRoundingFloor(T: number, d: number, conditionNumber: number, magnitude: number, logDensity: number): number {
  const u = Number.EPSILON / 2;
  return (T + 32 + 16 * d * Math.max(1, conditionNumber)) * u * (magnitude + Math.abs(logDensity) + d * Math.log(2 * Math.PI * Math.E));
}
