import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { checkFiniteResult, requireFiniteArray } from '../validate.ts';
import { ddpmChain } from './ddpmChain.ts';
import { affinePredictorProbe } from './affinePredictorProbe.ts';
import type { NoisePredictor, VpPoint } from './vpPoint.ts';

/*
 * The density formula on the DDPM grid (Li & Yan 2024 §3.2; MATH.md §13.8). Theorem 1,
 *   log q_0(x_0) = −(d/2) log(2πe) − ½ ∫₀¹ [E_z‖ε*(√α x_0 + √(1−α) z; α) − z‖² − dα]/(α(1−α)) dα,
 * evaluated on the partition ᾱ_T < … < ᾱ_1 < ᾱ_0 = 1 of a DDPM schedule by the Riemann sum at the lower
 * end of each [ᾱ_t, ᾱ_{t−1}] (ᾱ_{t−1} − ᾱ_t = ᾱ_t β_t/α_t):
 *   F_T(x_0) = −(d/2) log(2πe) − ½ Σ_{t=1}^T β_t/(α_t(1 − ᾱ_t)) · [E_z‖ε_t(√ᾱ_t x_0 + √(1−ᾱ_t) z) − z‖² − dᾱ_t],
 * the piece [0, ᾱ_T] dropped (its integrand tends to −d, so it contributes ≈ dᾱ_T/2). 'ddpm' drops the
 * 1/α_t (weight β_t/(1 − ᾱ_t), the DDPM loss weight up to ½): the same limit. The paper's own statement of
 * the discrete formula could not be retrieved (only its abstract and reviews); this is the Riemann sum of
 * its Theorem 1 on the DDPM grid, and its error is measured (properties): O(max_t β_t + ᾱ_T) — on the
 * scaled-linear schedule it keeps a floor ≈ dᾱ_T/2, on a schedule with ᾱ_T → 0 it vanishes like log T/T.
 * The exact identity on the same grid is the ELBO decomposition (ddpmDecomposition.ts).
 */

/** 'riemann': β_t/(α_t(1 − ᾱ_t)); 'ddpm': β_t/(1 − ᾱ_t); or any w(β_t, α_t, 1 − ᾱ_t). */
export type DiscreteWeight = 'riemann' | 'ddpm' | ((beta: number, alpha: number, oneMinusAlphaBar: number) => number);

export interface DiscreteFormulaResult {
  readonly logDensity: number;
  /** The dropped piece's leading term, ½ d ᾱ_T (the formula's floor when ᾱ_T does not vanish). */
  readonly truncation: number;
}

/** ε_t(x) at step t of the schedule: any noise predictor evaluated at the level ᾱ_t. */
function pointAt(ab: number): VpPoint {
  return { alpha: ab, oneMinusAlpha: 1 - ab, logSnr: Math.log(ab / (1 - ab)), a: Math.sqrt(ab), s: Math.sqrt(1 - ab) };
}

/**
 * F_T(x_0) for a predictor affine in x (the MMSE predictor of Gaussian data): E_z‖ε(c + s z) − z‖² =
 * ‖sA − I‖²_F + ‖ε(c)‖² with c = √ᾱ_t x_0 (exact).
 */
export function discreteDensityFormula(x0: ArrayLike<number>, predictor: NoisePredictor, schedule: VPSchedule, weight: DiscreteWeight = 'riemann'): DiscreteFormulaResult {
  requireFiniteArray('x0', x0);
  const d = x0.length;
  if (d < 1) throw new DimensionMismatchError('x0', '≥ 1', d);
  if (weight !== 'riemann' && weight !== 'ddpm' && typeof weight !== 'function') throw new InvalidArgumentError('weight', weight, "must be 'riemann', 'ddpm' or a function");
  const ch = ddpmChain(schedule);
  let sum = 0;
  for (let t = 1; t <= ch.T; t++) {
    const ab = ch.a2[t], om = ch.s2[t];
    const pt = { ...pointAt(ab), oneMinusAlpha: om, s: Math.sqrt(om) };
    const c = Float64Array.from(x0, (v) => pt.a * v);
    const { e0, A } = affinePredictorProbe(predictor, c, pt);
    let f = -d * ab;
    for (let i = 0; i < d; i++) {
      f += e0[i] * e0[i];
      for (let j = 0; j < d; j++) {
        const m = pt.s * A[i * d + j] - (i === j ? 1 : 0);
        f += m * m;
      }
    }
    const w = weight === 'riemann' ? ch.beta[t] / (ch.alpha[t] * om) : weight === 'ddpm' ? ch.beta[t] / om : weight(ch.beta[t], ch.alpha[t], om);
    sum += w * f;
  }
  return { logDensity: checkFiniteResult('discreteDensityFormula', -0.5 * d * (Math.log(2 * Math.PI) + 1) - 0.5 * sum), truncation: 0.5 * d * ch.a2[ch.T] };
}
