import type { VPSchedule } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import type { DataDistribution } from '../gaussian/mixture.ts';
import { type Matrix, scaledIdentity, zeros } from '../linalg/index.ts';
import { minimizeScalarOnLine } from '../numerics/minimizeOnLine.ts';
import { requirePositive } from '../validate.ts';
import { ddpmChain } from './ddpmChain.ts';
import { type StepwiseAffineScore, type DdpmModel, type ReverseVariance, ddpmElbo, ddpmModelMarginal, standardPrior } from './elbo.ts';

/*
 * ELBO vs NLL minimizers (Li & Yan 2024, application 1). Family: p_θ = N(m, v I).
 * Its DDPM uses the exact score of N(m, vI) diffused, ŝ(x, t) = −(x − a_t m)/(a_t² v + s_t²),
 * Gaussian reverse kernels (variance β_t or β̃_t) and a prior that is either N(0, I)
 * ('standard') or the family's own marginal N(a_T m, (a_T² v + s_T²) I) ('model-marginal').
 * Objective L_T(θ) = −E_{x_0~data} ELBO_T(x_0; θ); ELBO is quadratic in x_0, so only the
 * data's mean and covariance enter — for Gaussian and for mixture data alike.
 * NLL(θ) = ½[d log 2πv + (tr S + ‖μ − m‖²)/v] is minimized at m = μ, v = tr S / d.
 * The T-step sampler's own law p_θ^T (linear-Gaussian reverse chain, `ddpmModelMarginal`)
 * is not N(m, vI); its NLL −E log p_θ^T(x_0) has its own minimizer, compared as well.
 */

export interface DataMoments {
  readonly mean: Float64Array;
  readonly cov: Matrix;
}

/** Mean and covariance of Gaussian or mixture data (law of total covariance). */
export function dataMoments(data: DataDistribution): DataMoments {
  if (data instanceof Gaussian) return { mean: Float64Array.from(data.mean), cov: data.cov };
  const d = data.dim;
  const mean = new Float64Array(d);
  data.components.forEach((c, k) => {
    for (let i = 0; i < d; i++) mean[i] += data.weights[k] * c.mean[i];
  });
  const cov = zeros(d, d);
  data.components.forEach((c, k) => {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      cov.data[i * d + j] += data.weights[k] * (c.cov.data[i * d + j] + (c.mean[i] - mean[i]) * (c.mean[j] - mean[j]));
    }
  });
  return { mean, cov };
}

export type FamilyPrior = 'standard' | 'model-marginal';

export interface IsotropicFitOptions {
  readonly variance?: ReverseVariance;
  readonly prior?: FamilyPrior;
}

/** The DDPM of the family member N(m, vI). */
export function isotropicFamilyModel(m: ArrayLike<number>, v: number, schedule: VPSchedule, opts: IsotropicFitOptions = {}): DdpmModel {
  requirePositive('v', v);
  const d = m.length;
  const c = ddpmChain(schedule);
  const score: StepwiseAffineScore = {
    dim: d,
    at(t) {
      const V = c.a2[t] * v + c.s2[t];
      return { B: scaledIdentity(d, -1 / V), c: Float64Array.from(m, (mi) => (Math.sqrt(c.a2[t]) * mi) / V) };
    },
  };
  const T = c.T;
  const prior = (opts.prior ?? 'model-marginal') === 'standard'
    ? standardPrior(d)
    : new Gaussian(Float64Array.from(m, (mi) => Math.sqrt(c.a2[T]) * mi), scaledIdentity(d, c.a2[T] * v + c.s2[T]), 'prior');
  return { score, variance: opts.variance ?? 'beta', prior };
}

/** L_T(m, v) = −E_{x_0} ELBO_T(x_0; N(m, vI)). */
export function isotropicElboObjective(data: DataMoments, schedule: VPSchedule, m: ArrayLike<number>, v: number, opts: IsotropicFitOptions = {}): number {
  return -ddpmElbo(isotropicFamilyModel(m, v, schedule, opts), schedule, { mean: data.mean, cov: data.cov }).elbo;
}

export interface IsotropicFit {
  readonly mean: Float64Array;
  readonly variance: number;
}

/** argmin of the NLL over N(m, vI): m = μ, v = tr S / d. */
export function isotropicNllMinimizer(data: DataMoments): IsotropicFit {
  const d = data.mean.length;
  let tr = 0;
  for (let i = 0; i < d; i++) tr += data.cov.data[i * d + i];
  return { mean: Float64Array.from(data.mean), variance: tr / d };
}

/** −E_{x_0} log p_θ^T(x_0) for the T-step sampler of N(m, vI) (p_θ^T Gaussian, closed form). */
export function isotropicSamplerNll(data: DataMoments, schedule: VPSchedule, m: ArrayLike<number>, v: number, opts: IsotropicFitOptions = {}): number {
  const p = ddpmModelMarginal(isotropicFamilyModel(m, v, schedule, opts), schedule);
  const d = data.mean.length;
  const P = p.precision.data, S = data.cov.data;
  let tr = 0, quad = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    tr += P[i * d + j] * S[j * d + i];
    quad += (data.mean[i] - p.mean[i]) * P[i * d + j] * (data.mean[j] - p.mean[j]);
  }
  return 0.5 * (d * Math.log(2 * Math.PI) + p.logDetCov() + tr + quad);
}

/**
 * argmin of L_T over N(m, vI). L_T is quadratic in m along m = τ μ (isotropic maps), so for
 * each v the best τ comes from three evaluations (τ = 1 exactly for the model-marginal prior,
 * by translation equivariance); v by a one-dimensional search in log v (`minimizeScalarOnLine`: throws `NoMinimizerError` when
 * the objective keeps decreasing as v → 0 or ∞).
 */
export function isotropicElboMinimizer(data: DataMoments, schedule: VPSchedule, opts: IsotropicFitOptions = {}): IsotropicFit & { readonly objective: number } {
  return minimizeOverFamily(data, schedule, opts, isotropicElboObjective);
}

/** argmin over N(m, vI) of the T-step sampler's NLL (same search as the ELBO minimizer; at T = 1 it has none: the NLL decreases as v → 0). */
export function isotropicSamplerNllMinimizer(data: DataMoments, schedule: VPSchedule, opts: IsotropicFitOptions = {}): IsotropicFit & { readonly objective: number } {
  return minimizeOverFamily(data, schedule, opts, isotropicSamplerNll);
}

type FamilyObjective = (data: DataMoments, schedule: VPSchedule, m: ArrayLike<number>, v: number, opts: IsotropicFitOptions) => number;

function minimizeOverFamily(data: DataMoments, schedule: VPSchedule, opts: IsotropicFitOptions, objective: FamilyObjective): IsotropicFit & { readonly objective: number } {
  const mu = data.mean;
  const nll = isotropicNllMinimizer(data);
  const meanFor = (v: number): Float64Array => {
    if ((opts.prior ?? 'model-marginal') === 'model-marginal' || mu.every((x) => x === 0)) return Float64Array.from(mu);
    const f = (tau: number) => objective(data, schedule, mu.map((x) => tau * x), v, opts);
    const f0 = f(0), f1 = f(1), f2 = f(2);
    const A = 0.5 * (f2 - 2 * f1 + f0), B = f1 - f0 - A; // f(τ) = A τ² + B τ + f0
    return mu.map((x) => (-B / (2 * A)) * x);
  };
  const profile = (u: number) => {
    const v = Math.exp(u);
    return objective(data, schedule, meanFor(v), v, opts);
  };
  // The search starts at the family NLL minimizer and widens until the profile's grid minimum is
  // interior (|log v − log(tr S/d)| ≤ 20); beyond that, e.g. the T = 1 sampler's NLL decreasing as
  // v → 0, it reports that the family has no minimizer rather than an end of a window.
  const u0 = Math.log(nll.variance);
  const u = minimizeScalarOnLine(profile, u0, { field: `${objective.name}: log v` });
  const v = Math.exp(u);
  const mean = meanFor(v);
  return { mean, variance: v, objective: objective(data, schedule, mean, v, opts) };
}

/**
 * Resolution of a family minimizer's variance (relative): the search is in u = log v on an
 * objective f computed with error δf ≤ (T + 32)·u_r·(|f*| + d) (its addends ½d log 2π, ½ log det,
 * ½ tr, ½ quad are each ≤ |f*| + d; n = T + 32 as in `elboRoundingFloor`), so it can stop
 * anywhere f is flat to 2δf: |Δu| ≤ √(4δf/f''), f''(u*) = d/2 for the NLL-like objectives
 * (f(u) = (d/2)(u + τe^{−u}) + const near u* = log τ). Two minimizers compared: twice that.
 */
export function minimizerDistanceFloor(fit: { readonly objective: number }, d: number, T: number): number {
  const df = (T + 32) * (Number.EPSILON / 2) * (Math.abs(fit.objective) + d);
  return 2 * Math.sqrt((8 * df) / d);
}
