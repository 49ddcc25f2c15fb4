import { type VPSchedule, vpFromBetas } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { logSumExp } from '../gaussian/mixture.ts';
import { addScaledIdentity, scale } from '../linalg/index.ts';
import { requireIntegerInRange, requirePositive } from '../validate.ts';
import { bayesLogits, diffusionClassifierLogits, totalVariation } from './diffusionClassifier.ts';
import type { ReverseVariance } from './elbo.ts';

/*
 * The diffusion classifier's Bayes limit at a point x, with the N(0, I) prior used in practice
 * (Li & Yan 2024 §4.3; MATH.md §13.7). As the steps shrink with ᾱ_T held fixed, the exact-score DDPM's
 * reverse kernels become exact and ELBO_c(x) → log q_c(x) + δ_c(x), where the prior mismatch is
 *   δ_c(x) = E_{x_T ~ N(a_T x, s_T² I)} [log N(x_T; 0, I) − log q_{c,T}(x_T)],  q_{c,T} = N(a_T μ_c, a_T²Σ_c + s_T²I)
 * (closed form). So TV(p̂_T(·|x), p(·|x)) tends to the floor TV(softmax(ℓ), softmax(ℓ + δ)), which is
 * O(ᾱ_T): it vanishes only on schedules whose terminal ᾱ_T → 0 as T grows. `vanishingTerminalSchedule` is
 * one (the schedule of Li & Yan's analyses: β_1 = T^{−c0}, β_{t+1} = (c1 log T/T)·min{β_1(1 + c1 log T/T)^t, 1}).
 */

/** β_1 = T^{−c0}, β_{t+1} = (c1 log T / T)·min{β_1(1 + c1 log T/T)^t, 1} (clipped at 0.999): ᾱ_T → 0 and max β → 0. */
export function vanishingTerminalSchedule(T: number, c0 = 2, c1 = 4): VPSchedule {
  requireIntegerInRange('T', T, 2, 1e7);
  requirePositive('c0', c0);
  requirePositive('c1', c1);
  const L = (c1 * Math.log(T)) / T;
  const b1 = T ** -c0;
  const betas = new Float64Array(T);
  betas[0] = Math.min(b1, 0.999);
  for (let t = 1; t < T; t++) betas[t] = Math.min(L * Math.min(b1 * (1 + L) ** t, 1), 0.999);
  return vpFromBetas(betas, 'vp-li-yan');
}

/** δ_c(x): the logit shift a N(0, I) prior leaves in the small-step limit (closed form, per class). */
export function priorMismatchShift(classes: readonly Gaussian[], x0: ArrayLike<number>, alphaBarT: number): Float64Array {
  const a = Math.sqrt(alphaBarT), s2 = 1 - alphaBarT;
  const d = x0.length;
  // E log N(x; m, S) for x ~ N(m0, S0) = −½[d log 2π + log|S| + tr(S⁻¹S0) + (m0 − m)ᵀS⁻¹(m0 − m)], S0 = s²I
  const m0 = Float64Array.from(x0, (v) => a * v);
  const stdLog = -0.5 * (d * Math.log(2 * Math.PI) + d * s2 + m0.reduce((acc, v) => acc + v * v, 0));
  return Float64Array.from(classes, (c) => {
    const qT = new Gaussian(c.mean.map((v) => a * v), addScaledIdentity(scale(c.cov, alphaBarT), s2), 'q_{c,T}');
    const P = qT.precision.data;
    let tr = 0, quad = 0;
    for (let i = 0; i < d; i++) {
      tr += P[i * d + i] * s2;
      for (let j = 0; j < d; j++) quad += (m0[i] - qT.mean[i]) * P[i * d + j] * (m0[j] - qT.mean[j]);
    }
    const cross = -0.5 * (d * Math.log(2 * Math.PI) + qT.logDetCov() + tr + quad);
    return stdLog - cross;
  });
}

/** TV between the Bayes posterior and its prior-mismatch limit softmax(ℓ + δ): the small-step floor at this ᾱ_T. */
export function priorMismatchFloor(classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>, alphaBarT: number): number {
  const l = bayesLogits(classes, weights, x0);
  const delta = priorMismatchShift(classes, x0, alphaBarT);
  const shifted = l.map((v, k) => v + delta[k]);
  const z1 = logSumExp(l), z2 = logSumExp(shifted);
  return totalVariation(l.map((v) => Math.exp(v - z1)), shifted.map((v) => Math.exp(v - z2)));
}

/** Figure-ready: TV(p̂_T(·|x), Bayes) with the N(0, I) prior over a T grid, and the floor at each ᾱ_T. */
export function classifierPointSweep(
  classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>, Ts: readonly number[], scheduleFor: (T: number) => VPSchedule, variance: ReverseVariance = 'beta',
): { T: number; tv: number; floor: number; alphaBarT: number }[] {
  const l = bayesLogits(classes, weights, x0);
  const z = logSumExp(l);
  const bayes = l.map((v) => Math.exp(v - z));
  return Ts.map((T) => {
    const s = scheduleFor(T);
    const lh = diffusionClassifierLogits(classes, weights, s, x0, { prior: 'standard', variance });
    const zh = logSumExp(lh);
    const ab = s.alphaBar(T);
    return { T, tv: totalVariation(bayes, lh.map((v) => Math.exp(v - zh))), floor: priorMismatchFloor(classes, weights, x0, ab), alphaBarT: ab };
  });
}
