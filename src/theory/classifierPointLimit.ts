import { type VPSchedule, vpFromBetas } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { logSumExp } from '../gaussian/mixture.ts';
import { addScaledIdentity, scale } from '../linalg/index.ts';
import { requireIntegerInRange, requirePositive } from '../validate.ts';
import { bayesLogits, classModel, diffusionClassifierLogits, totalVariation } from './diffusionClassifier.ts';
import { discreteFormulaErrorBound } from './discreteFormulaErrorBound.ts';
import { type ReverseVariance, ddpmElbo, elboRoundingFloor } from './elbo.ts';
import { gaussianDensityIntegrand } from './gaussianDensityIntegrand.ts';

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

/*
 * The rate with its constant (MATH.md §13.7). With σ_t² = β_t and p(x_T) = N(0, I), every term of ELBO_c(x) that
 * depends on the class is the density formula's: the decoder gives −(d/2) log 2πβ_1 − ‖ε*_1 − z‖²/(2α_1), each KL_t
 * (t ≥ 2) the same ½ β̃/β term for every class plus β_t/(2α_t(1 − ᾱ_t)) E‖ε*_t − z‖², and the prior term depends on x
 * only. So ELBO_c(x) = F_{c,T}(x) + C_T(x) (F: discreteDensityFormula, 'riemann' weight; C_T the same for every
 * class), the logits' perturbation e_c = ELBO_c − log q_c has spread R ≤ B_c + B_{c'} (the two largest of the
 * per-class bounds B_c of discreteFormulaErrorBound), and TV(p̂_T(·|x), p(·|x)) ≤ tanh(R/4) ≤ tanh((B_c + B_{c'})/4),
 * which vanishes with max_t Δ_t and ᾱ_T — on the Li–Yan schedule max Δ_t ≤ max β_t ≤ 4 log T/T and ᾱ_T = O(T⁻²).
 */

export interface ClassifierPointBound {
  /** TV(p̂_T(·|x), p(·|x)) as computed from the logits. */
  readonly tv: number;
  /** The spread R = max − min of ELBO_c(x) − log q_c(x) over the classes, as computed. */
  readonly spread: number;
  /** B_c + B_{c'}: the two largest per-class discrete-formula bounds. */
  readonly spreadBound: number;
  /** tanh(spreadBound/4). */
  readonly tvBound: number;
  /** Rounding of the computed spread (twice the largest ELBO rounding floor) and of the TV. */
  readonly spreadFloor: number;
  readonly tvFloor: number;
  /** Per-class bounds B_c. */
  readonly perClass: Float64Array;
  readonly maxStep: number;
  readonly alphaBarT: number;
}

/** The classifier's TV at x with the N(0, I) prior and σ_t² = β_t, beside its explicit bound. */
export function classifierPointBound(classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>, schedule: VPSchedule): ClassifierPointBound {
  const bayesL = bayesLogits(classes, weights, x0);
  const K = classes.length;
  const hat = new Float64Array(K), e = new Float64Array(K), perClass = new Float64Array(K);
  let floor = 0, maxStep = 0, alphaBarT = 0;
  classes.forEach((c, k) => {
    const terms = ddpmElbo(classModel(c, schedule, { prior: 'standard', variance: 'beta' }), schedule, { mean: x0 });
    const logQ = c.logPdf(x0);
    hat[k] = Math.log(weights[k]) + terms.elbo;
    e[k] = terms.elbo - logQ;
    floor = Math.max(floor, elboRoundingFloor(terms, schedule.T, logQ));
    const b = discreteFormulaErrorBound(gaussianDensityIntegrand(c, x0), schedule, 'riemann');
    perClass[k] = b.bound;
    maxStep = b.maxStep;
    alphaBarT = b.alphaBarT;
  });
  const sorted = Array.from(perClass).sort((a, b) => b - a);
  const spreadBound = sorted[0] + sorted[1];
  const zb = logSumExp(bayesL), zh = logSumExp(hat);
  const tv = totalVariation(bayesL.map((v) => Math.exp(v - zb)), hat.map((v) => Math.exp(v - zh)));
  return {
    tv, spread: Math.max(...e) - Math.min(...e), spreadBound, tvBound: Math.tanh(spreadBound / 4),
    spreadFloor: 2 * floor, tvFloor: (4 * K + 4) * (Number.EPSILON / 2), perClass, maxStep, alphaBarT,
  };
}
