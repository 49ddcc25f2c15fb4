import type { ReverseVarianceKind } from '../diffusion/reverseVariance.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type DataDistribution, GaussianMixture } from '../gaussian/mixture.ts';
import type { Estimate } from '../mc/estimate.ts';
import type { Rng } from '../mc/rng.ts';
import { type Matrix, identity, zeros } from '../linalg/index.ts';
import { type LinearInverseProblem, linearInverseProblem } from '../models/linearInverseProblem.ts';
import { requireIntegerInRange, requirePositive } from '../validate.ts';
import { type Posterior, gaussianPosterior, inverseProblemGeometry, mixturePosterior, posteriorMarginalAt } from './inverseProblem.ts';
import { mismatchDecomposition, mismatchWeight } from './mismatch.ts';
import { type ZeroShotKind, zeroShotAffineGuidance } from './zeroShot.ts';
import { posteriorSamplerGuidance } from './zeroShotSamplerMmd.ts';

/*
 * BO-DDNM's asymptotic bias on Gaussian-mixture priors, against the exact mixture posterior
 * (Liang et al. 2025, "detailed parameter dependency"; MATH.md §13.10). The bias term of Theorem 1 is
 * the accumulated mismatch W_bias = Σ_t w_t E_{q̃_t}‖Δ_t‖², Δ_t = ∇log q̃_t − g_{t,y}, with q̃_t the law
 * of x_t when x_0 follows the posterior x_0 | y (a mixture with reweighted components) and w_t the
 * path-KL weight (mismatch.ts). No closed form exists for a mixture; each E_{q̃_t}‖Δ_t‖² is estimated
 * from n independent draws of q̃_t (seeded), so the estimate of W_bias is a sum of independent means
 * with variance Σ_t w_t² Var_t/n. For a Gaussian prior the same estimator has the closed form of
 * `mismatchDecomposition` as reference.
 */

export function posteriorOf(prior: DataDistribution, problem: LinearInverseProblem): Posterior {
  if (prior instanceof Gaussian) return gaussianPosterior(prior, problem);
  if (prior instanceof GaussianMixture) return mixturePosterior(prior, problem);
  throw new InvalidArgumentError('prior', prior, 'must be a Gaussian or a Gaussian mixture');
}

export interface AccumulatedMismatchEstimate {
  /**
   * Σ_t w_t (mean of ‖Δ_t‖² over the n draws at t): the mean of n iid composite draws Σ_t w_t‖Δ_t(x_t)‖²
   * (x_t independent across t); `variance` is that of one composite draw.
   */
  readonly estimate: Estimate;
  /** Per-step means of ‖Δ_t‖² (index t − 1). */
  readonly perStep: Float64Array;
}

/** W_bias of a zero-shot sampler (or 'matched' / 'unconditional'), by Monte Carlo over q̃_t. */
export function accumulatedMismatch(
  kind: ZeroShotKind | 'matched' | 'unconditional', prior: DataDistribution, problem: LinearInverseProblem, schedule: VPSchedule,
  variance: ReverseVarianceKind, rng: Rng, samplesPerStep: number,
): AccumulatedMismatchEstimate {
  requireIntegerInRange('samplesPerStep', samplesPerStep, 2, 1e8);
  const post = posteriorOf(prior, problem);
  const g = posteriorSamplerGuidance(kind, prior, problem, post, schedule);
  const d = prior.dim, n = samplesPerStep;
  const perStep = new Float64Array(schedule.T);
  const x = new Float64Array(d), xi = new Float64Array(d), score = new Float64Array(d);
  let mean = 0, varSum = 0;
  for (let t = 1; t <= schedule.T; t++) {
    const qt = posteriorMarginalAt(post, schedule, t);
    const w = mismatchWeight(schedule, t, variance);
    let s = 0, s2 = 0;
    for (let k = 0; k < n; k++) {
      qt.sampleInto(rng, x, xi);
      qt.scoreInto(x, score);
      const gv = g(x, t);
      let q = 0;
      for (let i = 0; i < d; i++) q += (score[i] - gv[i]) ** 2;
      s += q;
      s2 += q * q;
    }
    const m = s / n, v = Math.max(0, (s2 - n * m * m) / (n - 1));
    perStep[t - 1] = m;
    mean += w * m;
    varSum += w * w * v;
  }
  // one composite draw Σ_t w_t ‖Δ_t(x_t)‖² (independent x_t per t) has variance Σ_t w_t² Var_t; n of them
  return { estimate: { mean, variance: varSum, stderr: Math.sqrt(varSum / n), n }, perStep };
}

/** The closed-form W_bias for a Gaussian prior (reference for the estimator). */
export function accumulatedMismatchGaussian(kind: ZeroShotKind, prior: Gaussian, problem: LinearInverseProblem, schedule: VPSchedule, variance: ReverseVarianceKind): number {
  const post = gaussianPosterior(prior, problem);
  const geom = inverseProblemGeometry(problem);
  return mismatchDecomposition(schedule, post, zeroShotAffineGuidance(geom, prior, post, schedule, kind), variance).bias;
}

/**
 * The figure family: prior ½N(μ, I_d) + ½N(−μ, I_d), μ = (separation/2)·1/√d (the modes a fixed
 * distance apart in every d); H observes the first p = ⌈d/2⌉ coordinates; y = r·u, u = H1/‖H1‖
 * (the observation moves along the modes' axis as r grows). Returns the prior and the problem.
 */
export function symmetricMixtureProblem(d: number, separation: number, sigmaY: number, r: number): { prior: GaussianMixture; problem: LinearInverseProblem } {
  requireIntegerInRange('d', d, 1, 64);
  requirePositive('separation', separation);
  if (!(Number.isFinite(sigmaY) && sigmaY >= 0)) throw new InvalidArgumentError('sigmaY', sigmaY, 'must be finite and ≥ 0');
  const mu = new Float64Array(d).fill(separation / 2 / Math.sqrt(d));
  const prior = new GaussianMixture([0.5, 0.5], [new Gaussian(mu, identity(d)), new Gaussian(mu.map((v) => -v), identity(d))]);
  const p = Math.ceil(d / 2);
  const H: Matrix = zeros(p, d);
  for (let i = 0; i < p; i++) H.data[i * d + i] = 1;
  const y = new Float64Array(p).fill(r / Math.sqrt(p));
  return { prior, problem: linearInverseProblem(H, sigmaY, y) };
}

/** Figure-ready rows: W_bias of BO-DDNM and DDNM against d or against ‖y‖ (Monte Carlo, seeded). */
export function zeroShotBiasRows(
  points: readonly { d: number; r: number }[], separation: number, sigmaY: number, schedule: VPSchedule, rng: Rng, samplesPerStep: number,
): { d: number; r: number; boDdnm: Estimate; ddnm: Estimate; optimal: Estimate }[] {
  return points.map(({ d, r }) => {
    const { prior, problem } = symmetricMixtureProblem(d, separation, sigmaY, r);
    const est = (k: ZeroShotKind) => accumulatedMismatch(k, prior, problem, schedule, 'seed', rng, samplesPerStep).estimate;
    return { d, r, boDdnm: est('bo-ddnm'), ddnm: est('ddnm'), optimal: est('optimal') };
  });
}


