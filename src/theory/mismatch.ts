import type { AffineGuidance, AffineMap, Guidance } from '../diffusion/reverseSampler.ts';
import { type ReverseVarianceKind, reverseVariance } from '../diffusion/reverseVariance.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError } from '../errors.ts';
import { affineSquaredNormMoments, type QuadraticMoments } from '../gaussian/affineExpectation.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import type { DataDistribution } from '../gaussian/mixture.ts';
import { gaussianKL } from '../gaussian/klDivergence.ts';
import { type Matrix, add, addScaledIdentity, cholesky, choleskyLogDet, identity, matvec, scale, symmetrize, trace, matmul } from '../linalg/index.ts';
import { type GaussianMoments, propagateAffineSampler } from './gaussianPropagation.ts';

/** q̃_t for a (possibly degenerate) Gaussian target N(m, S): N(√ᾱ_t m, ᾱ_t S + (1−ᾱ_t) I), t ≥ 1. */
export function targetMarginalAt(target: GaussianMoments, schedule: VPSchedule, t: number): Gaussian {
  const ab = schedule.alphaBar(t);
  const r = Math.sqrt(ab);
  return new Gaussian(target.mean.map((v) => r * v), addScaledIdentity(scale(target.cov, ab), 1 - ab), `targetMarginal(t=${t})`);
}

/** ∇log N(x; m, S) = −S⁻¹x + S⁻¹m as an affine map. */
export function gaussianScoreMap(g: Gaussian): AffineMap {
  const P = g.precision;
  const A = scale(P, -1);
  return { A, b: matvec(P, g.mean) };
}

/** The matched guidance g_t = ∇log q̃_t for a Gaussian target (MATH.md §1, §4). */
export function matchedGaussianGuidance(target: GaussianMoments, schedule: VPSchedule): AffineGuidance {
  return (t) => gaussianScoreMap(targetMarginalAt(target, schedule, t));
}

/** A mismatched affine guidance: the matched one with its linear part shifted by dA (row-major d × d) at every t. */
export function perturbedMatchedGuidance(target: GaussianMoments, schedule: VPSchedule, dA: readonly number[]): AffineGuidance {
  const d = target.mean.length;
  if (dA.length !== d * d) throw new DimensionMismatchError('perturbedMatchedGuidance.dA', d * d, dA.length);
  const shift = { rows: d, cols: d, data: Float64Array.from(dA) };
  return (t) => {
    const m = gaussianScoreMap(targetMarginalAt(target, schedule, t));
    return { A: add(m.A, shift), b: m.b };
  };
}

/**
 * The matched guidance g_t = ∇log q̃_t for any target with closed-form marginals (a Gaussian
 * or a Gaussian mixture, or a mixture posterior's marginals): the exact score, evaluated
 * without allocation; the marginal at each t is built once.
 */
export function matchedScoreGuidance(marginalAt: (t: number) => DataDistribution, dim: number): Guidance {
  const marginals = new Map<number, DataDistribution>();
  return (x, t) => {
    let qt = marginals.get(t);
    if (!qt) marginals.set(t, (qt = marginalAt(t)));
    return qt.scoreInto(x, new Float64Array(dim));
  };
}

/** Δ_t(x) = ∇log q̃_t(x) − g_t(x) (MATH.md §4), as an affine map when both are affine. */
export function affineMismatch(targetMarginal: Gaussian, guidance: AffineMap): AffineMap {
  const s = gaussianScoreMap(targetMarginal);
  const d = targetMarginal.dim;
  if (guidance.A.rows !== d || guidance.b.length !== d) throw new DimensionMismatchError('affineMismatch.guidance', d, guidance.b.length);
  return { A: add(s.A, guidance.A, 1, -1), b: s.b.map((v, i) => v - guidance.b[i]) };
}

/** E_{q̃_t}‖Δ_t‖² with the exact variance of one draw (MATH.md §1). */
export function expectedSquaredMismatch(targetMarginal: Gaussian, guidance: AffineMap): QuadraticMoments {
  const delta = affineMismatch(targetMarginal, guidance);
  return affineSquaredNormMoments(delta.A, delta.b, targetMarginal.mean, targetMarginal.cov);
}

/**
 * Weight of E‖Δ_t‖² in the path KL: ‖m̃ − μ‖²/(2σ_t²) with m̃ − μ = (1−α_t)Δ_t/√α_t,
 * i.e. (1−α_t)²/(2α_t σ_t²); equals (1−α_t)/2 for the seed's σ_t² = (1−α_t)/α_t.
 */
export function mismatchWeight(schedule: VPSchedule, t: number, variance: ReverseVarianceKind): number {
  const a = schedule.alpha(t);
  return ((1 - a) * (1 - a)) / (2 * a * reverseVariance(schedule, t, variance));
}

/** Terms of the exact chain-rule bound KL(Q̃_0‖P̂_0) ≤ KL(Q̃_{0:T}‖P̂_{0:T}) for a Gaussian target and affine guidance. */
export interface MismatchDecomposition {
  readonly T: number;
  /** KL(Q̃_0 ‖ P̂_0), exact (Infinity when Q̃_0 is degenerate). */
  readonly finalKL: number;
  /** KL(q̃_T ‖ N(0, I)): the initialization error. */
  readonly start: number;
  /** Σ_t E KL of the reverse-kernel covariances: identical for every guidance (the matched sampler's own path error). */
  readonly oracle: number;
  /** Σ_t w_t E_{q̃_t}‖Δ_t‖², w_t = mismatchWeight: the accumulated mismatch. */
  readonly bias: number;
  /** start + oracle + bias = KL(Q̃_{0:T} ‖ P̂_{0:T}). */
  readonly pathKL: number;
  /** E_{q̃_t}‖Δ_t‖² for t = 1..T (index t−1). */
  readonly perStepMismatch: Float64Array;
}

/**
 * Exact decomposition for Gaussian target N(m, S) (S may be singular) and affine guidance.
 * The reverse kernel of Q̃ is q̃(x_{t−1}|x_t) = N(m̃_t(x_t), C_t) with
 * C_t = S_{t−1} − α_t S_{t−1} S_t⁻¹ S_{t−1} (S_t the covariance of q̃_t) and
 * m̃_t(x) = (x + (1−α_t)∇log q̃_t(x))/√α_t, so its KL to N(μ_t(x), σ_t² I) is
 * ½[tr C_t/σ² − d + d log σ² − log|C_t|] + w_t‖Δ_t(x)‖².
 */
export function mismatchDecomposition(
  schedule: VPSchedule,
  target: GaussianMoments,
  guidance: AffineGuidance,
  variance: ReverseVarianceKind,
): MismatchDecomposition {
  const d = target.mean.length;
  const T = schedule.T;
  const perStep = new Float64Array(T);
  let oracle = 0, bias = 0;
  for (let t = 1; t <= T; t++) {
    const qt = targetMarginalAt(target, schedule, t);
    const prevCov: Matrix = t === 1 ? target.cov : targetMarginalAt(target, schedule, t - 1).cov;
    const a = schedule.alpha(t);
    // Symmetrized: the product carries O(ε‖Σ‖) asymmetry, which the Cholesky in logDet rejects (entries ~1e3 → 1.5e-10).
    const C = symmetrize(add(prevCov, matmul(matmul(prevCov, qt.precision), prevCov), 1, -a));
    const v = reverseVariance(schedule, t, variance);
    // σ_t² = 0 (β̃_1) makes the model kernel degenerate: the path KL is +∞.
    oracle += v > 0 ? 0.5 * (trace(C) / v - d + d * Math.log(v) - logDetOrMinusInfinity(C)) : Infinity;
    const e = expectedSquaredMismatch(qt, guidance(t)).mean;
    perStep[t - 1] = e;
    if (e > 0) bias += mismatchWeight(schedule, t, variance) * e;
  }
  const start = gaussianKL(targetMarginalAt(target, schedule, T), new Gaussian(new Float64Array(d), identity(d)));
  const p0 = propagateAffineSampler(schedule, guidance, variance, d)[0];
  return { T, finalKL: klMomentsToMoments(target, p0), start, oracle, bias, pathKL: start + oracle + bias, perStepMismatch: perStep };
}

/** KL(p ‖ q) for moment-form Gaussians; +∞ when p is degenerate (not absolutely continuous w.r.t. an SPD q). */
export function klMomentsToMoments(p: GaussianMoments, q: GaussianMoments): number {
  let pg: Gaussian;
  try {
    pg = new Gaussian(p.mean, p.cov, 'klMoments.p');
  } catch {
    return Infinity;
  }
  return gaussianKL(pg, new Gaussian(q.mean, q.cov, 'klMoments.q'));
}

function logDetOrMinusInfinity(m: Matrix): number {
  try {
    return choleskyLogDet(cholesky(m, 'reverseKernelCov'));
  } catch {
    return -Infinity;
  }
}
