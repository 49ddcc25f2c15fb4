import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { gaussianKL } from '../gaussian/klDivergence.ts';
import { type Matrix, addScaledIdentity, symmetricEigen, zeros } from '../linalg/index.ts';
import { requireIntegerInRange } from '../validate.ts';
import { ddpmChain } from './ddpmChain.ts';
import { propagateAffineSampler } from './gaussianPropagation.ts';
import { type DdpmModel, type ReverseVariance, type StepwiseAffineScore, ddpmElbo, ddpmModelMarginal, gaussianScoreModel, standardPrior } from './elbo.ts';

/*
 * ELBO minimizer vs likelihood minimizer over a rich family (Li & Yan 2024 §4.1; MATH.md §13.6).
 * Family: DDPMs with a FREE affine score model at every step, ŝ(x, t) = B_t x + c_t (T(d² + d)
 * parameters), σ_t² fixed (β_t or β̃_t), p(x_T) = N(0, I). Data N(μ, Σ).
 * - The DDPM objective −E ELBO_T is, step by step, E‖μ̃_t(x_t, x_0) − μ_θ(x_t)‖²/(2σ_t²) + const, minimized
 *   over all functions by μ_θ = E[x_{t−1} | x_t], i.e. ŝ = ∇log q_t (Tweedie): the exact score, at every T.
 *   The objective is an exact quadratic in each (B_t, c_t) with no linear term at the exact score.
 * - The likelihood −E log p_θ^T(x_0) of the T-step sampler's own law p_θ^T (Gaussian, ddpmModelMarginal) is
 *   minimized, when λ_min(Σ) > σ_1², by members that reproduce the data exactly (NLL = H(q)); one is
 *   `likelihoodMatchingModel`: the exact score for t ≥ 2 and a last step whose mean map carries the law of x_1
 *   onto N(μ, Σ − σ_1²I).
 * "The minimizers nearly coincide": the ELBO minimizer's likelihood excess over the best member,
 * KL(q ‖ p^T_{θ_ELBO}), vanishes as T grows.
 */

/** The ELBO minimizer over per-step affine scores: the exact score of the data. */
export function elboMinimizerScore(data: Gaussian, schedule: VPSchedule): StepwiseAffineScore {
  return gaussianScoreModel(data, schedule);
}

/** A model of the family: per-step scores, σ_t², N(0, I) prior. */
export function affineFamilyModel(score: StepwiseAffineScore, variance: ReverseVariance): DdpmModel {
  return { score, variance, prior: standardPrior(score.dim) };
}

/** −E_{x_0~data} ELBO_T (the DDPM training objective), closed form. */
export function negativeExpectedElbo(data: Gaussian, model: DdpmModel, schedule: VPSchedule): number {
  return -ddpmElbo(model, schedule, { mean: data.mean, cov: data.cov }).elbo;
}

/** −E_{x_0~data} log p_θ^T(x_0) (the likelihood objective), closed form: H(q) + KL(q ‖ p_θ^T). */
export function negativeExpectedLogLikelihood(data: Gaussian, model: DdpmModel, schedule: VPSchedule): number {
  const entropy = 0.5 * (data.dim * Math.log(2 * Math.PI * Math.E) + data.logDetCov());
  return entropy + gaussianKL(data, ddpmModelMarginal(model, schedule));
}

/** The score `base` with step t0's (B, c) shifted by h·(dB, dc). */
export function perturbStep(base: StepwiseAffineScore, t0: number, dB: Matrix, dc: ArrayLike<number>, h: number): StepwiseAffineScore {
  if (dB.rows !== base.dim || dB.cols !== base.dim) throw new DimensionMismatchError('dB', `${base.dim}x${base.dim}`, `${dB.rows}x${dB.cols}`);
  if (dc.length !== base.dim) throw new DimensionMismatchError('dc', base.dim, dc.length);
  return {
    dim: base.dim,
    at(t) {
      const s = base.at(t);
      if (t !== t0) return s;
      const B = zeros(base.dim, base.dim);
      for (let i = 0; i < B.data.length; i++) B.data[i] = s.B.data[i] + h * dB.data[i];
      return { B, c: s.c.map((v, i) => v + h * dc[i]) };
    },
  };
}

function symmetricFunction(m: Matrix, f: (x: number) => number, field: string): Matrix {
  const { values, vectors } = symmetricEigen(m, field);
  const n = m.rows;
  const out = zeros(n, n);
  for (let k = 0; k < n; k++) {
    const fk = f(values[k]);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.data[i * n + j] += vectors.data[i * n + k] * fk * vectors.data[j * n + k];
  }
  return out;
}

/**
 * A likelihood-optimal member: exact score for t ≥ 2; at t = 1 the mean map G_1 x + g_1 with
 * G_1 = (Σ − σ_1²I)^{½} S_1^{−½}, g_1 = μ − G_1 m_1 ((m_1, S_1) the law of x_1 under the exact-score chain), so
 * x_0 = G_1 x_1 + g_1 + σ_1 z ~ N(μ, Σ) exactly; B_1 = (√α_1 G_1 − I)/β_1, c_1 = √α_1 g_1/β_1.
 * Throws when λ_min(Σ) ≤ σ_1² (the family cannot reach the data).
 */
export function likelihoodMatchingModel(data: Gaussian, schedule: VPSchedule, variance: ReverseVariance): DdpmModel {
  requireIntegerInRange('schedule.T', schedule.T, 2, 1e7);
  const exact = gaussianScoreModel(data, schedule);
  const c = ddpmChain(schedule);
  const d = data.dim;
  const sigma1 = typeof variance === 'function' ? variance(1) : c.beta[1]; // β̃_1 = 0 is replaced by β_1 (elbo.ts)
  // law of x_1 under the exact-score chain from N(0, I): propagate t = T..2 with a one-step-longer schedule view
  const upper: StepwiseAffineScore = { dim: d, at: (t) => exact.at(t) };
  const tail: DdpmModel = { score: upper, variance, prior: standardPrior(d) };
  const x1 = lawOfX1(tail, schedule);
  const { values } = symmetricEigen(data.cov, 'data.cov');
  if (!(Math.min(...values) > sigma1)) throw new InvalidArgumentError('data.cov', Math.min(...values), `λ_min(Σ) must exceed σ_1² = ${sigma1} for the family to reproduce the data`);
  const rootA = symmetricFunction(addScaledIdentity(data.cov, -sigma1), Math.sqrt, 'Σ − σ_1²I');
  const invRootS1 = symmetricFunction(x1.cov, (v) => 1 / Math.sqrt(v), 'S_1');
  const G1 = zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let v = 0;
    for (let k = 0; k < d; k++) v += rootA.data[i * d + k] * invRootS1.data[k * d + j];
    G1.data[i * d + j] = v;
  }
  const g1 = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let v = data.mean[i];
    for (let j = 0; j < d; j++) v -= G1.data[i * d + j] * x1.mean[j];
    g1[i] = v;
  }
  const sa = Math.sqrt(c.alpha[1]), b1 = c.beta[1];
  const B1 = zeros(d, d);
  for (let i = 0; i < d * d; i++) B1.data[i] = (sa * G1.data[i]) / b1;
  for (let i = 0; i < d; i++) B1.data[i * d + i] -= 1 / b1;
  const c1 = g1.map((v) => (sa * v) / b1);
  return { score: { dim: d, at: (t) => (t === 1 ? { B: B1, c: c1 } : exact.at(t)) }, variance, prior: standardPrior(d) };
}

/**
 * Law of x_1 of a model's reverse chain from N(0, I) (steps T..2): the affine sampler of gaussianPropagation
 * with guidance A_t = B_t, b_t = c_t (its mean map (I + β_tA_t)/√α_t is G_t) and σ_t² = β_t ('beta') or
 * β̃_t ('posterior', = elbo.ts's 'betaTilde' for t ≥ 2).
 */
function lawOfX1(model: DdpmModel, schedule: VPSchedule): Gaussian {
  if (typeof model.variance === 'function') throw new InvalidArgumentError('variance', 'function', "the likelihood-matching member supports 'beta' and 'betaTilde'");
  const laws = propagateAffineSampler(schedule, (t) => { const s = model.score.at(t); return { A: s.B, b: s.c }; }, model.variance === 'beta' ? 'beta' : 'posterior', model.score.dim);
  return new Gaussian(laws[1].mean, laws[1].cov, 'x1');
}

/** The comparison the statement is about, at one T. */
export interface AffineFitComparison {
  readonly T: number;
  /** −E ELBO at the ELBO minimizer (the exact score). */
  readonly elboObjective: number;
  /** NLL of the ELBO minimizer's sampler, and the family's minimum H(q). */
  readonly nllAtElboMinimizer: number;
  readonly nllMinimum: number;
  /** KL(q ‖ p^T_{θ_ELBO}) = nllAtElboMinimizer − nllMinimum: the likelihood the ELBO minimizer gives up. */
  readonly likelihoodExcess: number;
}

export function affineFitComparison(data: Gaussian, schedule: VPSchedule, variance: ReverseVariance = 'beta'): AffineFitComparison {
  const model = affineFamilyModel(elboMinimizerScore(data, schedule), variance);
  const entropy = 0.5 * (data.dim * Math.log(2 * Math.PI * Math.E) + data.logDetCov());
  const kl = gaussianKL(data, ddpmModelMarginal(model, schedule));
  return { T: schedule.T, elboObjective: negativeExpectedElbo(data, model, schedule), nllAtElboMinimizer: entropy + kl, nllMinimum: entropy, likelihoodExcess: kl };
}
