import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, addScaledIdentity, cholesky, choleskyInverse, identity, scale, zeros } from '../linalg/index.ts';
import { checkFiniteResult, requireFiniteArray } from '../validate.ts';
import { type DdpmChain, chainPosterior, ddpmChain } from './ddpmChain.ts';

/*
 * ELBO of a DDPM with Gaussian reverse kernels (MATH.md §3):
 *   p(x_{t−1}|x_t) = N(μ_θ(x_t, t), σ_t² I),  μ_θ(x, t) = (x + β_t ŝ(x, t))/√α_t,
 *   ELBO(x_0) = E[log p(x_T) − log q(x_T|x_0)] + E[log p(x_0|x_1)] − Σ_{t≥2} E KL(q(x_{t−1}|x_t,x_0) ‖ p(x_{t−1}|x_t)).
 * With an affine score ŝ(x, t) = B_t x + c_t the mean is G_t x + g_t, G_t = (I + β_t B_t)/√α_t,
 * g_t = β_t c_t/√α_t, and every term is E‖A x_0 + u + (noise)‖²: closed form at a point x_0
 * or averaged over x_0 with given mean and covariance (ELBO is quadratic in x_0, so for any
 * data only its first two moments matter).
 */

/** ŝ(x, t) = B_t x + c_t. */
export interface StepwiseAffineScore {
  readonly dim: number;
  at(t: number): { readonly B: Matrix; readonly c: Float64Array };
}

/** σ_t²: 'beta' = β_t; 'betaTilde' = β̃_t for t ≥ 2 and β_1 at t = 1 (β̃_1 = 0); or a function of t. */
export type ReverseVariance = 'beta' | 'betaTilde' | ((t: number) => number);

export interface DdpmModel {
  readonly score: StepwiseAffineScore;
  readonly variance: ReverseVariance;
  /** p(x_T). */
  readonly prior: Gaussian;
}

export interface ElboTerms {
  readonly prior: number;
  readonly reconstruction: number;
  readonly kls: Float64Array;
  readonly klSum: number;
  readonly elbo: number;
  /**
   * Σ of the absolute values of every addend the ELBO is summed from (each term's own
   * addends, not the terms): the scale of the cancellations, for `elboRoundingFloor`.
   */
  readonly magnitude: number;
}

/**
 * Worst-case rounding bound on a computed `s − elbo` (s a closed form of absolute-addend
 * size `otherMagnitude`, e.g. −H(q) or log q(x_0)): recursive summation of n operands each
 * carrying relative error ≤ u errs by at most γ_n Σ|operands| ≈ n·u·Σ|operands| (Higham,
 * Accuracy and Stability, §4.2). n = T + 32 bounds every path: the T − 2 additions of Σ KL_t,
 * ≤ 29 operations inside one term (quadMoment's d² + d, d ≤ 4; the KL's 8; the prior's 6)
 * and the final 3. The schedule's own rounding (α_t = 1 − β_t, a_t² and s_t² recurrences)
 * perturbs each step by O(u) relative, inside the same bound. Where the exact value of
 * `s − elbo` is 0 (a model exact for every T), the computed one is within this floor.
 */
export function elboRoundingFloor(terms: ElboTerms, T: number, otherMagnitude = 0): number {
  return (T + 32) * (Number.EPSILON / 2) * (terms.magnitude + Math.abs(otherMagnitude));
}

/** The exact score of Gaussian data at step t: ŝ(x) = −Σ_t⁻¹(x − a_t μ), Σ_t = a_t²Σ + s_t²I. */
export function gaussianScoreModel(data: Gaussian, schedule: VPSchedule): StepwiseAffineScore {
  const c = ddpmChain(schedule);
  return {
    dim: data.dim,
    at(t: number) {
      const a = Math.sqrt(c.a2[t]);
      const P = choleskyInverse(cholesky(addScaledIdentity(scale(data.cov, c.a2[t]), c.s2[t]), 'marginal.cov'));
      const B = scale(P, -1);
      const cc = new Float64Array(data.dim);
      for (let i = 0; i < data.dim; i++) for (let j = 0; j < data.dim; j++) cc[i] += P.data[i * data.dim + j] * a * data.mean[j];
      return { B, c: cc };
    },
  };
}

/** N(0, I), the usual DDPM prior. */
export function standardPrior(d: number): Gaussian {
  return new Gaussian(new Float64Array(d), identity(d), 'prior');
}

/** The data's own marginal q(x_T) = N(a_T μ, a_T²Σ + s_T²I) (removes the prior mismatch). */
export function marginalPrior(data: Gaussian, schedule: VPSchedule): Gaussian {
  const c = ddpmChain(schedule);
  const T = c.T;
  return new Gaussian(data.mean.map((m) => Math.sqrt(c.a2[T]) * m), addScaledIdentity(scale(data.cov, c.a2[T]), c.s2[T]), 'prior');
}

function reverseVariance(v: ReverseVariance, c: DdpmChain, t: number): number {
  const s = typeof v === 'function' ? v(t) : v === 'beta' || t === 1 ? c.beta[t] : chainPosterior(c, t).betaTilde;
  if (!(Number.isFinite(s) && s > 0)) throw new InvalidArgumentError(`variance(t=${t})`, s, 'must be finite and > 0');
  return s;
}

/** Moments of x_0: a point (cov undefined) or a distribution's mean and covariance. */
export interface X0Moments {
  readonly mean: ArrayLike<number>;
  readonly cov?: Matrix;
}

/** E‖A x_0 + u‖² over the x_0 moments: ‖A m + u‖² + tr(A S Aᵀ). */
function quadMoment(A: Matrix, u: ArrayLike<number>, x: X0Moments): number {
  const d = A.rows, n = A.cols;
  let q = 0;
  for (let i = 0; i < d; i++) {
    let v = u[i];
    for (let j = 0; j < n; j++) v += A.data[i * n + j] * x.mean[j];
    q += v * v;
  }
  if (x.cov) {
    const S = x.cov.data;
    for (let i = 0; i < d; i++) for (let j = 0; j < n; j++) {
      let v = 0;
      for (let k = 0; k < n; k++) v += A.data[i * n + k] * S[k * n + j];
      q += v * A.data[i * n + j];
    }
  }
  return q;
}

/** ELBO(x_0) of the model, its terms, at a point or averaged over x_0 moments. */
export function ddpmElbo(model: DdpmModel, schedule: VPSchedule, x0: X0Moments): ElboTerms {
  const d = model.score.dim;
  requireFiniteArray('x0.mean', x0.mean);
  if (x0.mean.length !== d) throw new DimensionMismatchError('x0.mean', d, x0.mean.length);
  if (model.prior.dim !== d) throw new DimensionMismatchError('model.prior', d, model.prior.dim);
  const c = ddpmChain(schedule);
  const T = c.T;
  // Prior: E log N(x_T; m_p, S_p) + (d/2)(log 2π s_T² + 1), x_T ~ N(a_T x_0, s_T² I).
  const Pp = model.prior.precision;
  const Lp = cholesky(Pp, 'prior.precision');
  const LpT = zeros(d, d); // A = L_pᵀ a_T so that ‖A x_0 + u‖² = (a_T x_0 − m_p)ᵀ S_p⁻¹ (…)
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) LpT.data[i * d + j] = Lp.data[j * d + i] * Math.sqrt(c.a2[T]);
  const up = new Float64Array(d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) up[i] -= Lp.data[j * d + i] * model.prior.mean[j];
  let trPp = 0;
  for (let i = 0; i < d; i++) trPp += Pp.data[i * d + i];
  const priorQuad = quadMoment(LpT, up, x0);
  const prior = -0.5 * (model.prior.logDetCov() + c.s2[T] * trPp + priorQuad) + 0.5 * d * (Math.log(c.s2[T]) + 1);
  let magnitude = 0.5 * (Math.abs(model.prior.logDetCov()) + c.s2[T] * trPp + priorQuad + d * (Math.abs(Math.log(c.s2[T])) + 1));

  const meanMap = (t: number) => {
    const { B, c: cc } = model.score.at(t);
    if (B.rows !== d || B.cols !== d || cc.length !== d) throw new DimensionMismatchError(`score.at(${t})`, d, `${B.rows}x${B.cols}, ${cc.length}`);
    const k = 1 / Math.sqrt(c.alpha[t]);
    const G = zeros(d, d);
    for (let i = 0; i < d * d; i++) G.data[i] = k * c.beta[t] * B.data[i];
    for (let i = 0; i < d; i++) G.data[i * d + i] += k;
    return { G, g: cc.map((v) => k * c.beta[t] * v) };
  };
  const frob2 = (M: Matrix) => M.data.reduce((s, v) => s + v * v, 0);

  // Decoder: x_0 − G_1 x_1 − g_1 = (I − a_1 G_1) x_0 − g_1 − s_1 G_1 ξ.
  const s1 = reverseVariance(model.variance, c, 1);
  const m1 = meanMap(1);
  const A1 = zeros(d, d);
  for (let i = 0; i < d * d; i++) A1.data[i] = -Math.sqrt(c.a2[1]) * m1.G.data[i];
  for (let i = 0; i < d; i++) A1.data[i * d + i] += 1;
  const reconQuad = (quadMoment(A1, m1.g.map((v) => -v), x0) + c.s2[1] * frob2(m1.G)) / s1;
  const reconstruction = -0.5 * (d * Math.log(2 * Math.PI * s1) + reconQuad);
  magnitude += 0.5 * (d * Math.abs(Math.log(2 * Math.PI * s1)) + reconQuad);

  // KL_t = ½[d β̃/σ² − d + d log(σ²/β̃) + E‖((G − ct I) a_t − c0 I) x_0 + g‖²/σ² + s_t² ‖G − ct I‖²_F/σ²].
  const kls = new Float64Array(Math.max(0, T - 1));
  let klSum = 0;
  for (let t = 2; t <= T; t++) {
    const sig = reverseVariance(model.variance, c, t);
    const { c0, ct, betaTilde } = chainPosterior(c, t);
    const { G, g } = meanMap(t);
    for (let i = 0; i < d; i++) G.data[i * d + i] -= ct; // G − ct I
    const A = zeros(d, d);
    const at = Math.sqrt(c.a2[t]);
    for (let i = 0; i < d * d; i++) A.data[i] = at * G.data[i];
    for (let i = 0; i < d; i++) A.data[i * d + i] -= c0;
    const ratio = betaTilde / sig;
    const quad = (quadMoment(A, g, x0) + c.s2[t] * frob2(G)) / sig;
    const kl = 0.5 * (d * (ratio - 1 - Math.log(ratio)) + quad);
    kls[t - 2] = kl;
    klSum += kl;
    magnitude += 0.5 * (d * (ratio + 1 + Math.abs(Math.log(ratio))) + quad);
  }
  const elbo = checkFiniteResult('ddpmElbo.elbo', prior + reconstruction - klSum);
  return { prior, reconstruction, kls, klSum, elbo, magnitude };
}

/**
 * The model's exact log-likelihood log p_θ(x_0): with affine means the reverse chain
 * is linear-Gaussian, x_{t−1} = G_t x_t + g_t + σ_t ξ from x_T ~ p(x_T), so p_θ is Gaussian.
 */
export function ddpmModelMarginal(model: DdpmModel, schedule: VPSchedule): Gaussian {
  const c = ddpmChain(schedule);
  const d = model.score.dim;
  let m = Float64Array.from(model.prior.mean);
  let S = model.prior.cov.data.slice();
  for (let t = c.T; t >= 1; t--) {
    const { B, c: cc } = model.score.at(t);
    const k = 1 / Math.sqrt(c.alpha[t]);
    const G = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) G[i] = k * c.beta[t] * B.data[i];
    for (let i = 0; i < d; i++) G[i * d + i] += k;
    const nm = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let v = k * c.beta[t] * cc[i];
      for (let j = 0; j < d; j++) v += G[i * d + j] * m[j];
      nm[i] = v;
    }
    const GS = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let v = 0;
      for (let l = 0; l < d; l++) v += G[i * d + l] * S[l * d + j];
      GS[i * d + j] = v;
    }
    const nS = new Float64Array(d * d);
    const sig = reverseVariance(model.variance, c, t);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let l = 0; l < d; l++) v += GS[i * d + l] * G[j * d + l];
      if (i === j) v += sig;
      nS[i * d + j] = nS[j * d + i] = v;
    }
    m = nm;
    S = nS;
  }
  return new Gaussian(m, { rows: d, cols: d, data: S }, 'modelMarginal');
}

/** log p_θ(x_0) of the model (closed form). */
export function ddpmModelLogLikelihood(model: DdpmModel, schedule: VPSchedule, x0: ArrayLike<number>): number {
  return ddpmModelMarginal(model, schedule).logPdf(x0);
}

