import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture, logSumExp } from '../gaussian/mixture.ts';
import {
  type Matrix, type Vector, add, addScaledIdentity, cholesky, choleskyLogDet, choleskySolve, identity, matmul, matvec,
  scale, spdInverse, symmetrize, transpose,
} from '../linalg/index.ts';
import { type LinearInverseProblem } from '../models/linearInverseProblem.ts';
import type { GaussianMoments } from './gaussianPropagation.ts';
import { targetMarginalAt } from './mismatch.ts';

/** H†, the row-space projector P = H†H, I − P and H†y, computed once. */
export interface InverseProblemGeometry {
  readonly problem: LinearInverseProblem;
  readonly dim: number;
  readonly Hpinv: Matrix;
  readonly rowProjector: Matrix;
  readonly nullProjector: Matrix;
  readonly HpinvY: Vector;
}


export function inverseProblemGeometry(problem: LinearInverseProblem): InverseProblemGeometry {
  const d = problem.H.cols;
  // Full row rank: H† = Hᵀ(HHᵀ)⁻¹ (Cholesky; mathjs pinv fails on some masks, e.g. H = [0 0 1]).
  const Ht = transpose(problem.H);
  const Hpinv = transpose(matmul(spdInverse(symmetrize(matmul(problem.H, Ht)), 'inverseProblem.HHᵀ (H must have full row rank)'), problem.H));
  const P = symmetrize(matmul(Hpinv, problem.H));
  return { problem, dim: d, Hpinv, rowProjector: P, nullProjector: add(identity(d), P, 1, -1), HpinvY: matvec(Hpinv, problem.y) };
}

/** A Gaussian prior's posterior x_0 | y (possibly degenerate when σ_y = 0) and the log evidence log N(y; Hμ, HΣHᵀ + σ_y² I). */
export interface GaussianPosterior extends GaussianMoments {
  readonly logEvidence: number;
}

/**
 * Kalman form (valid for σ_y = 0): S = HΣHᵀ + σ_y² I, K = ΣHᵀS⁻¹,
 * μ_post = μ + K(y − Hμ), Σ_post = Σ − K H Σ.
 */
export function gaussianPosterior(prior: Gaussian, problem: LinearInverseProblem): GaussianPosterior {
  const { H, sigmaY, y } = problem;
  if (H.cols !== prior.dim) throw new DimensionMismatchError('gaussianPosterior.H', prior.dim, H.cols);
  const p = H.rows;
  const SigHt = matmul(prior.cov, transpose(H));
  const S = symmetrize(addScaledIdentity(matmul(H, SigHt), sigmaY * sigmaY));
  const L = cholesky(S, 'gaussianPosterior.HΣHᵀ+σ²I');
  const r = matvec(H, prior.mean).map((v, i) => y[i] - v);
  const w = choleskySolve(L, r);
  const mean = matvec(SigHt, w).map((v, i) => v + prior.mean[i]);
  // Σ − ΣHᵀ S⁻¹ HΣ, column by column of HΣ.
  const d = prior.dim;
  const HSig = transpose(SigHt);
  const SinvHSig = new Float64Array(p * d);
  const col = new Float64Array(p);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < p; i++) col[i] = HSig.data[i * d + j];
    const sol = choleskySolve(L, col);
    for (let i = 0; i < p; i++) SinvHSig[i * d + j] = sol[i];
  }
  const cov = symmetrize(add(prior.cov, matmul(SigHt, { rows: p, cols: d, data: SinvHSig }), 1, -1));
  let quad = 0;
  for (let i = 0; i < p; i++) quad += r[i] * w[i];
  const logEvidence = -0.5 * (p * Math.log(2 * Math.PI) + choleskyLogDet(L) + quad);
  return { mean, cov, logEvidence };
}

/** Posterior of a Gaussian-mixture prior: the component posteriors, reweighted by π_k N(y; Hμ_k, HΣ_kHᵀ + σ_y²I). */
export interface MixturePosterior {
  readonly weights: Float64Array;
  readonly components: readonly GaussianPosterior[];
}

export function mixturePosterior(prior: GaussianMixture, problem: LinearInverseProblem): MixturePosterior {
  const comps = prior.components.map((c) => gaussianPosterior(c, problem));
  const logs = comps.map((c, k) => prior.logWeights[k] + c.logEvidence);
  const lse = logSumExp(logs);
  const weights = Float64Array.from(logs, (l) => Math.exp(l - lse));
  return { weights, components: comps };
}

export type Posterior = GaussianPosterior | MixturePosterior;

export function isMixturePosterior(p: Posterior): p is MixturePosterior {
  return 'components' in p;
}

/** q̃_t = q_{t|y}: the posterior pushed through the forward kernel, t ≥ 1 (closed form; a mixture stays a mixture). */
export function posteriorMarginalAt(post: Posterior, schedule: VPSchedule, t: number): Gaussian | GaussianMixture {
  if (!isMixturePosterior(post)) return targetMarginalAt(post, schedule, t);
  // Components with negligible weight (underflow) are dropped: GaussianMixture needs π_k > 0.
  const keep = post.components.map((_, k) => k).filter((k) => post.weights[k] > 0);
  const w = keep.map((k) => post.weights[k]);
  const z = w.reduce((a, b) => a + b, 0);
  return new GaussianMixture(w.map((v) => v / z), keep.map((k) => targetMarginalAt(post.components[k], schedule, t)), `posteriorMarginal(t=${t})`);
}

/** Σ_{t|0,y} = ᾱ_t σ_y² H†(H†)ᵀ + (1−ᾱ_t) I (MATH.md §4). */
export function forwardCovarianceGivenY(geom: InverseProblemGeometry, alphaBar: number): Matrix {
  const s2 = geom.problem.sigmaY ** 2;
  return addScaledIdentity(scale(matmul(geom.Hpinv, transpose(geom.Hpinv)), alphaBar * s2), 1 - alphaBar);
}

