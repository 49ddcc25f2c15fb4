import { scaledLinearSchedule } from '../diffusion/schedule.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { variationOnInterval } from '../numerics/totalVariation.ts';
import { requireIntegerInRange } from '../validate.ts';
import type { GaussianMoments } from './gaussianPropagation.ts';
import { type ContinuumSchedule, DEFAULT_CONTINUUM, mismatchAtAlphaBar } from './mismatchAsymptotics.ts';

/*
 * An explicit bound on W_vanish(T) = W_bias(T) − W_bias^∞ (Liang et al. 2025 Theorem 1's vanishing part; MATH.md
 * §13.9). In the variable u = −log ᾱ, with ψ(u) = E_{q̃}‖Δ‖² at ᾱ = e^{−u}:
 *   W_bias(T) = ½ Σ_t β_t ψ(u_t),  u_t = Σ_{i≤t} δu_i,  δu_i = −log(1 − β_i);   W_bias^∞ = ½ ∫₀^U ψ(u) du,  U = ∫₀¹ β(τ)dτ.
 * Splitting 2(W_bias − W^∞) = Σ(β_t − δu_t)ψ(u_t) + [Σ δu_t ψ(u_t) − ∫₀^{u_T}ψ] + ∫_U^{u_T}ψ (the middle one a
 * right-endpoint Riemann sum, the cell [u_{t−1}, u_t] off by ≤ δu_t·TV_cell(ψ)):
 *   |W_vanish(T)| ≤ ½[Σ_t δu_t TV_{[u_{t−1}, u_t]}(ψ) + Σ_t (δu_t − β_t)|ψ(u_t)| + |u_T − U| sup_{between}|ψ|].
 * On the scaled-linear schedule δu_t ≤ −log(1 − 1000β_e/T) and δu_t − β_t ≤ β_t²/(2(1 − β_t)): the bound is at most
 * ½[max δu·TV(ψ) + sup ψ·(Σ(δu_t − β_t) + |u_T − U|)] = K/T with K explicit; Σβ_t = U exactly when no β is clipped
 * (T > 1000β_e). TV and sup of ψ from a grid of max(2048, 4T) cells in u with refined extrema (numerics/totalVariation.ts).
 */

export interface VanishingMismatchBound {
  /** ½[Σ δu_t TV_cell + Σ (δu_t − β_t)|ψ(u_t)| + |u_T − U| sup|ψ|]. */
  readonly bound: number;
  /** The same with TV and sup over the whole range: ½[max δu·TV(ψ) + sup|ψ|·(Σ(δu_t − β_t) + |u_T − U|)] ≥ bound. */
  readonly coarseBound: number;
  readonly maxLogStep: number;
  /** Σ_t (δu_t − β_t) + |u_T − U|. */
  readonly weightGap: number;
  readonly totalVariation: number;
  readonly supremum: number;
}

function continuumTotal(c: ContinuumSchedule): number {
  return 1000 * (c.betaStart + 0.5 * (c.betaEnd - c.betaStart));
}

/** The bound on |W_bias(T) − W_bias^∞| for a Gaussian target, the training score as guidance, the seed sampler and scaled-linear β. */
export function vanishingMismatchBound(target: GaussianMoments, training: Gaussian, T: number, c: ContinuumSchedule = DEFAULT_CONTINUUM): VanishingMismatchBound {
  requireIntegerInRange('T', T, 2, 1e6);
  const s = scaledLinearSchedule(T, c.betaStart, c.betaEnd);
  const psi = (u: number) => mismatchAtAlphaBar(target, training, Math.exp(-u));
  const du = new Float64Array(T + 1), u = new Float64Array(T + 1);
  let maxLogStep = 0, gap = 0;
  for (let t = 1; t <= T; t++) {
    du[t] = -Math.log1p(-s.beta(t));
    u[t] = u[t - 1] + du[t];
    maxLogStep = Math.max(maxLogStep, du[t]);
    gap += du[t] - s.beta(t);
  }
  const U = continuumTotal(c);
  const v = variationOnInterval(psi, 0, Math.max(u[T], U), Math.max(2048, 4 * T));
  let riemann = 0, weights = 0;
  for (let t = 1; t <= T; t++) {
    riemann += du[t] * v.between(u[t - 1], u[t]);
    weights += (du[t] - s.beta(t)) * Math.abs(psi(u[t]));
  }
  const end = Math.abs(u[T] - U) * v.supremumBetween(Math.min(u[T], U), Math.max(u[T], U));
  const weightGap = gap + Math.abs(u[T] - U);
  return {
    bound: 0.5 * (riemann + weights + end),
    coarseBound: 0.5 * (maxLogStep * v.totalVariation + v.supremum * weightGap),
    maxLogStep, weightGap, totalVariation: v.totalVariation, supremum: v.supremum,
  };
}
