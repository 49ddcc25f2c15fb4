import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture, logSumExp } from '../gaussian/mixture.ts';
import {
  type Matrix, type Vector, add, addScaledIdentity, cholesky, choleskyLogDet, choleskySolve, identity, matmul, matvec,
  pseudoInverse, scale, symmetrize, transpose,
} from '../linalg/index.ts';
import {
  type LinearInverseProblem, measurementRange, requireConsistentObservation, splitByRange,
} from '../models/linearInverseProblem.ts';
import type { GaussianMoments } from './gaussianPropagation.ts';
import { targetMarginalAt } from './mismatch.ts';

/** H†, the row-space projector P = H†H, I − P, H†y and r = rank(H), computed once (any rank). */
export interface InverseProblemGeometry {
  readonly problem: LinearInverseProblem;
  readonly dim: number;
  readonly rank: number;
  readonly Hpinv: Matrix;
  readonly rowProjector: Matrix;
  readonly nullProjector: Matrix;
  readonly HpinvY: Vector;
}

export function inverseProblemGeometry(problem: LinearInverseProblem): InverseProblemGeometry {
  const d = problem.H.cols;
  // Moore–Penrose H† = Hᵀ(HHᵀ)† for any rank (zero rows, repeated rows, H = 0); P = H†H projects onto row(H).
  const Hpinv = pseudoInverse(problem.H);
  const P = symmetrize(matmul(Hpinv, problem.H));
  const { rank } = measurementRange(problem.H);
  return { problem, dim: d, rank, Hpinv, rowProjector: P, nullProjector: add(identity(d), P, 1, -1), HpinvY: matvec(Hpinv, problem.y) };
}

/**
 * A Gaussian prior's posterior x_0 | y (degenerate when σ_y = 0: H x_0 = y a.s.) and the log evidence:
 * log N(y; Hμ, S), S = HΣHᵀ + σ_y² I_p, for σ_y > 0; for σ_y = 0 the density of the degenerate Gaussian
 * N(Hμ, S) on its support Hμ + range(S) = range(H), against Lebesgue measure on range(H):
 * −½[r log 2π + log pdet S + (y − Hμ)ᵀ S† (y − Hμ)], r = rank S = rank H.
 */
export interface GaussianPosterior extends GaussianMoments {
  readonly logEvidence: number;
}

/**
 * Any rank, σ_y ≥ 0 (MATH.md §4). With U_r an orthonormal basis of range(H) and U_⊥ its complement,
 * y splits into y_r = U_rᵀy = H_r x_0 + n_r (H_r = U_rᵀH, r × d, full row rank) and
 * y_⊥ = U_⊥ᵀy = n_⊥ (pure noise, independent of x_0). Hence S† = U_r S_r⁻¹ U_rᵀ on range(H) with
 * S_r = H_rΣH_rᵀ + σ_y² I_r SPD for every σ_y ≥ 0 (Cholesky, no threshold on S), and
 * K = ΣHᵀS† = ΣH_rᵀS_r⁻¹, μ_post = μ + K(y_r − H_rμ), Σ_post = Σ − K H_r Σ
 * (ΣHᵀU_⊥ = 0 exactly, so dropping U_⊥ loses nothing). pdet(HΣHᵀ) = det S_r. For σ_y > 0 the
 * log evidence adds log N(y_⊥; 0, σ_y² I_{p−r}), the same for every prior.
 */
export function gaussianPosterior(prior: Gaussian, problem: LinearInverseProblem): GaussianPosterior {
  return posteriorInRange(prior, problem, reducedProblem(problem));
}

interface ReducedProblem {
  readonly rank: number;
  /** H_r = U_rᵀH (r × d). */
  readonly Hr: Matrix;
  /** y_r = U_rᵀy. */
  readonly yr: Vector;
  /** −½[(p − r) log 2πσ² + ‖y_⊥‖²/σ²] for σ_y > 0; 0 for σ_y = 0. */
  readonly orthogonalLogDensity: number;
}

function reducedProblem(problem: LinearInverseProblem): ReducedProblem {
  const range = measurementRange(problem.H);
  requireConsistentObservation(problem, range, 'gaussianPosterior.y');
  const { inRange, orthogonal } = splitByRange(range, problem.y);
  const Hr = matmul(transpose(range.basis), problem.H);
  const s2 = problem.sigmaY ** 2;
  let orthogonalLogDensity = 0;
  if (s2 > 0) {
    let q = 0;
    for (const v of orthogonal) q += v * v;
    orthogonalLogDensity = -0.5 * ((problem.H.rows - range.rank) * Math.log(2 * Math.PI * s2) + q / s2);
  }
  return { rank: range.rank, Hr, yr: inRange, orthogonalLogDensity };
}

function posteriorInRange(prior: Gaussian, problem: LinearInverseProblem, red: ReducedProblem): GaussianPosterior {
  if (problem.H.cols !== prior.dim) throw new DimensionMismatchError('gaussianPosterior.H', prior.dim, problem.H.cols);
  const { rank: r, Hr, yr } = red;
  const d = prior.dim;
  // r = 0 (H = 0): no information, the posterior is the prior.
  if (r === 0) return { mean: Float64Array.from(prior.mean), cov: prior.cov, logEvidence: red.orthogonalLogDensity };
  const SigHt = matmul(prior.cov, transpose(Hr));
  const L = cholesky(symmetrize(addScaledIdentity(matmul(Hr, SigHt), problem.sigmaY ** 2)), 'gaussianPosterior.H_rΣH_rᵀ+σ²I');
  const res = matvec(Hr, prior.mean).map((v, i) => yr[i] - v);
  const w = choleskySolve(L, res);
  const mean = matvec(SigHt, w).map((v, i) => v + prior.mean[i]);
  // Σ − ΣH_rᵀ S_r⁻¹ H_rΣ, column by column of H_rΣ.
  const HSig = transpose(SigHt);
  const SinvHSig = new Float64Array(r * d);
  const col = new Float64Array(r);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < r; i++) col[i] = HSig.data[i * d + j];
    const sol = choleskySolve(L, col);
    for (let i = 0; i < r; i++) SinvHSig[i * d + j] = sol[i];
  }
  const cov = symmetrize(add(prior.cov, matmul(SigHt, { rows: r, cols: d, data: SinvHSig }), 1, -1));
  let quad = 0;
  for (let i = 0; i < r; i++) quad += res[i] * w[i];
  const logEvidence = -0.5 * (r * Math.log(2 * Math.PI) + choleskyLogDet(L) + quad) + red.orthogonalLogDensity;
  return { mean, cov, logEvidence };
}

/** Posterior of a Gaussian-mixture prior: the component posteriors, reweighted by π_k N(y; Hμ_k, HΣ_kHᵀ + σ_y²I). */
export interface MixturePosterior {
  readonly weights: Float64Array;
  readonly components: readonly GaussianPosterior[];
}

/**
 * σ_y = 0: every component's evidence is a density on the same support range(H) (Hμ_k ∈ range(H)),
 * against the same Lebesgue measure, so reweighting by the degenerate evidences is Bayes' rule
 * (the σ_y → 0 limit of the SPD case: the common factor N(y_⊥; 0, σ_y²I) cancels in the weights).
 */
export function mixturePosterior(prior: GaussianMixture, problem: LinearInverseProblem): MixturePosterior {
  const red = reducedProblem(problem);
  const comps = prior.components.map((c) => posteriorInRange(c, problem, red));
  // The common factor N(y_⊥; 0, σ_y²I) cancels; leaving it out keeps the log-weights O(1) (it can be ~1e4 nats).
  const logs = comps.map((c, k) => prior.logWeights[k] + (c.logEvidence - red.orthogonalLogDensity));
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

