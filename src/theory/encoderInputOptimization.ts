import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type QuadraticMoments, affineSquaredNormMoments } from '../gaussian/affineExpectation.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import {
  type Matrix, type Vector, addScaledIdentity, cholesky, choleskyInverse, matmul, matvec, pseudoInverse, scale, spdInverse, transpose, zeros,
} from '../linalg/index.ts';
import { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import { type LinearEncoder, requireLinearEncoder } from '../models/linearEncoder.ts';
import { checkFiniteResult, requireIntegerInRange } from '../validate.ts';
import { conditionalScoreNormTerm, encoderPosteriorCovariance } from './inputBias.ts';

/*
 * The direction of the input-optimization bias (Xu 2025, title claim; MATH.md §13.1).
 *
 * Setting: data x_0 ~ N(μ, Σ); a FROZEN (pretrained) conditional score model
 * s(x_t, c) = A x_t + G c + g at one noise level (a, s); an encoder c = B x_0 + b + τξ whose
 * (B, b) are optimized through the frozen model (τ fixed: the encoder's noise floor).
 *   DSM(B, b) = E‖s(x_t, c) + ε/s‖²
 *             = tr(FΣFᵀ) + tr((sA + I/s)(sA + I/s)ᵀ) + τ² tr(GGᵀ) + ‖Fμ + Gb + g‖²,  F = aA + GB
 *   ESM(B, b) = E‖s(x_t, c) − ∇log q(x_t|c)‖² = DSM − d/s² + N(B),
 *   N(B)      = E_c E_{x_t|c}‖∇log q(x_t|c)‖² = tr((a²Σ_{x|c} + s²I)⁻¹),  Σ_{x|c} = (Σ⁻¹ + BᵀB/τ²)⁻¹.
 * DSM is a convex quadratic in (B, b): its minimizers solve Gᵀ(aA + GB) = 0 and GᵀGb = −Gᵀ(Fμ + g);
 * the minimum-norm one is B_D = −a G⁺A, b_D = −G⁺(F_D μ + g).
 * For the "pretrained" model — the exact conditional score of a reference encoder E* = (B*, b*, τ):
 * A = −P*, G = aP*M*, g = aP*m*, P* = (a²Σ*_{x|c} + s²I)⁻¹ — ESM(E) ≥ 0 with equality only at E*
 * (Σ_{x|c} fixes BᵀB and M = Σ_{x|c}Bᵀ/τ² then fixes B), so E* is the unique ESM-optimal encoder and
 *   N(E_D) − N(E*) = ESM(E_D) + (DSM(E*) − DSM(E_D)) ≥ 0          (the bias direction, exact identity)
 * with equality iff E* is itself DSM-optimal iff ∇_B N(E*) = (2a²/τ²) B* W = 0 iff B* = 0
 * (W = Σ_{x|c}K⁻²Σ_{x|c} ≻ 0, K = a²Σ_{x|c} + s²I): a pretrained model that ignores c.
 */

/** The encoder's optimized parameters; τ is held fixed. */
export interface EncoderParameters {
  /** k×d. */
  readonly B: Matrix;
  /** length k. */
  readonly b: Vector;
}

/** One encoder-optimization problem: data, the frozen conditional model, the encoder noise τ, the level. */
export interface EncoderOptimizationProblem {
  readonly data: Gaussian;
  readonly model: AffineConditionalScoreModel;
  readonly tau: number;
  readonly level: NoiseLevel;
}

function requireProblem(p: EncoderOptimizationProblem): void {
  if (!(p.data instanceof Gaussian)) throw new InvalidArgumentError('problem.data', p.data, 'must be a Gaussian');
  if (!(p.model instanceof AffineConditionalScoreModel)) throw new InvalidArgumentError('problem.model', p.model, 'must be an AffineConditionalScoreModel');
  if (p.model.dim !== p.data.dim) throw new DimensionMismatchError('problem.model.A', `${p.data.dim}x${p.data.dim}`, `${p.model.dim}x${p.model.dim}`);
  if (!(Number.isFinite(p.tau) && p.tau > 0)) throw new InvalidArgumentError('problem.tau', p.tau, 'must be finite and > 0');
  requireNoiseLevel(p.level, 'problem.level');
}

function requireParameters(p: EncoderOptimizationProblem, e: EncoderParameters, field = 'encoder'): LinearEncoder {
  if (e.B.rows !== p.model.condDim) throw new DimensionMismatchError(`${field}.B`, `${p.model.condDim}×${p.data.dim}`, `${e.B.rows}x${e.B.cols}`);
  return requireLinearEncoder({ B: e.B, b: Float64Array.from(e.b), tau: p.tau }, p.data.dim, field);
}

/**
 * The pretrained conditional model of a reference encoder: the exact conditional score
 * ∇log q(x_t|c) = −P*(x_t − a(M*c + m*)) as s = A x_t + G c + g (MATH.md §13.1).
 */
export function pretrainedConditionalModel(data: Gaussian, reference: LinearEncoder, level: NoiseLevel): AffineConditionalScoreModel {
  requireLinearEncoder(reference, data.dim, 'reference');
  const { a, s } = requireNoiseLevel(level);
  const post = encoderPosteriorCovariance(data.cov, reference.B, reference.tau);
  // M* = Σ_{x|c} Bᵀ/τ² (push-through), m* = μ − M*(Bμ + b)
  const M = scale(matmul(post, transpose(reference.B)), 1 / (reference.tau * reference.tau));
  const Bmu = matvec(reference.B, data.mean);
  const mc = matvec(M, Bmu.map((v, i) => v + reference.b[i]));
  const m = data.mean.map((v, i) => v - mc[i]);
  const P = spdInverse(addScaledIdentity(scale(post, a * a), s * s), 'a²Σ*_{x|c} + s²I');
  return new AffineConditionalScoreModel(scale(P, -1), scale(matmul(P, M), a), matvec(P, m).map((v) => a * v), 'pretrainedModel');
}

/** Pieces of DSM(B, b) shared by value and gradient. */
function dsmParts(p: EncoderOptimizationProblem, e: EncoderParameters) {
  const { a, s } = p.level;
  const d = p.data.dim;
  const A = p.model.A, G = p.model.B, g = p.model.b;
  const F = matmul(G, e.B);
  for (let i = 0; i < d * d; i++) F.data[i] += a * A.data[i];
  const u = matvec(F, p.data.mean);
  const Gb = matvec(G, e.b);
  for (let i = 0; i < d; i++) u[i] += Gb[i] + g[i];
  return { F, u, a, s, d, A, G };
}

/** DSM(B, b) of the frozen model (closed form, MATH.md §13.1). */
export function encoderDsm(p: EncoderOptimizationProblem, e: EncoderParameters): number {
  requireProblem(p);
  requireParameters(p, e);
  const { F, u, s, d, A, G } = dsmParts(p, e);
  const FS = matmul(F, p.data.cov);
  let tr = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) tr += FS.data[i * d + j] * F.data[i * d + j];
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    const v = s * A.data[i * d + j] + (i === j ? 1 / s : 0);
    tr += v * v;
  }
  let gg = 0;
  for (const v of G.data) gg += v * v;
  let uu = 0;
  for (const v of u) uu += v * v;
  return checkFiniteResult('encoderDsm', tr + p.tau * p.tau * gg + uu);
}

/** N(B) = E_c E_{x_t|c}‖∇log q(x_t|c)‖² = tr((a²Σ_{x|c} + s²I)⁻¹): the conditional score norm. */
export function encoderScoreNorm(p: EncoderOptimizationProblem, e: EncoderParameters): number {
  requireProblem(p);
  requireParameters(p, e);
  return conditionalScoreNormTerm(encoderPosteriorCovariance(p.data.cov, e.B, p.tau), p.level);
}

/**
 * ESM(B, b) as E‖Lz + l‖², z = (x_0, ε, ξ) ~ N((μ, 0, 0), diag(Σ, I, I)) — computed directly, not as
 * DSM − d/s² + N (which cancels): r = (A + K)x_t + (G − aKM)c + g − aKm with the encoder's own
 * K = (a²Σ_{x|c} + s²I)⁻¹, M = Σ_{x|c}Bᵀ/τ², m = μ − M(Bμ + b). Exact per-draw variance included.
 */
export function encoderEsmMoments(p: EncoderOptimizationProblem, e: EncoderParameters): QuadraticMoments {
  requireProblem(p);
  requireParameters(p, e);
  const { a, s } = p.level;
  const d = p.data.dim, k = p.model.condDim, n = 2 * d + k, tau = p.tau;
  const post = encoderPosteriorCovariance(p.data.cov, e.B, tau);
  const K = spdInverse(addScaledIdentity(scale(post, a * a), s * s), 'a²Σ_{x|c} + s²I');
  const M = scale(matmul(post, transpose(e.B)), 1 / (tau * tau));
  const Bmu = matvec(e.B, p.data.mean);
  const mc = matvec(M, Bmu.map((v, i) => v + e.b[i]));
  const m = p.data.mean.map((v, i) => v - mc[i]);
  const AK = zeros(d, d);
  for (let i = 0; i < d * d; i++) AK.data[i] = p.model.A.data[i] + K.data[i];
  const C = matmul(K, M); // d×k
  for (let i = 0; i < d * k; i++) C.data[i] = p.model.B.data[i] - a * C.data[i];
  const CB = matmul(C, e.B);
  const L = zeros(d, n);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      L.data[i * n + j] = a * AK.data[i * d + j] + CB.data[i * d + j];
      L.data[i * n + d + j] = s * AK.data[i * d + j];
    }
    for (let j = 0; j < k; j++) L.data[i * n + 2 * d + j] = tau * C.data[i * k + j];
  }
  const Km = matvec(K, m);
  const Cb = matvec(C, e.b);
  const l = Cb.map((v, i) => v + p.model.b[i] - a * Km[i]);
  const mean = new Float64Array(n);
  mean.set(p.data.mean);
  const S = zeros(n, n);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S.data[i * n + j] = p.data.cov.data[i * d + j];
  for (let i = d; i < n; i++) S.data[i * n + i] = 1;
  return affineSquaredNormMoments(L, l, mean, S);
}

/** ESM(B, b) (closed form, direct). */
export function encoderEsm(p: EncoderOptimizationProblem, e: EncoderParameters): number {
  return checkFiniteResult('encoderEsm', encoderEsmMoments(p, e).mean);
}

/** Gradient with respect to (B, b). */
export interface EncoderGradient {
  readonly B: Matrix;
  readonly b: Vector;
}

/** ∇DSM: ∂B = 2Gᵀ(FΣ + uμᵀ), ∂b = 2Gᵀu. */
export function encoderDsmGradient(p: EncoderOptimizationProblem, e: EncoderParameters): EncoderGradient {
  requireProblem(p);
  requireParameters(p, e);
  const { F, u, d, G } = dsmParts(p, e);
  const R = matmul(F, p.data.cov);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) R.data[i * d + j] += u[i] * p.data.mean[j];
  const Gt = transpose(G);
  return { B: scale(matmul(Gt, R), 2), b: matvec(Gt, u).map((v) => 2 * v) };
}

/** ∇_B N = (2a²/τ²) B W, W = Σ_{x|c}K⁻²Σ_{x|c}, K = a²Σ_{x|c} + s²I; ∇_b N = 0. */
export function encoderScoreNormGradient(p: EncoderOptimizationProblem, e: EncoderParameters): Matrix {
  requireProblem(p);
  requireParameters(p, e);
  const { a, s } = p.level;
  const post = encoderPosteriorCovariance(p.data.cov, e.B, p.tau);
  const Kinv = choleskyInverse(cholesky(addScaledIdentity(scale(post, a * a), s * s), 'a²Σ_{x|c} + s²I'));
  const V = matmul(Kinv, post);
  const W = matmul(transpose(V), V);
  return scale(matmul(e.B, W), (2 * a * a) / (p.tau * p.tau));
}

/** ∇ESM = ∇DSM + ∇N. */
export function encoderEsmGradient(p: EncoderOptimizationProblem, e: EncoderParameters): EncoderGradient {
  const g = encoderDsmGradient(p, e);
  const n = encoderScoreNormGradient(p, e);
  const B = zeros(g.B.rows, g.B.cols);
  for (let i = 0; i < B.data.length; i++) B.data[i] = g.B.data[i] + n.data[i];
  return { B, b: g.b };
}

/**
 * The minimum-norm DSM-optimal encoder (closed form): B_D = −aG⁺A, b_D = −G⁺(F_D μ + g).
 * Every DSM minimizer has the same DSM value; this one is unique when G has full column rank.
 */
export function dsmOptimalEncoder(p: EncoderOptimizationProblem): EncoderParameters {
  requireProblem(p);
  const { a } = p.level;
  const Gp = pseudoInverse(p.model.B);
  const B = scale(matmul(Gp, p.model.A), -a);
  const zero = new Float64Array(p.model.condDim);
  const { u } = dsmParts(p, { B, b: zero });
  return { B, b: matvec(Gp, u).map((v) => -v) };
}

export type EncoderObjective = 'dsm' | 'esm';

export interface EncoderDescentOptions {
  /** Iterations (default 2000). */
  readonly steps?: number;
  /** Stop when ‖∇‖ falls below this times the initial ‖∇‖ (scale-free; default 1e-10). */
  readonly gradientTolerance?: number;
}

export interface EncoderDescentResult {
  readonly encoder: EncoderParameters;
  readonly steps: number;
  /** Objective after each accepted step (first: the initial value). */
  readonly values: readonly number[];
  /** N(B) after each accepted step. */
  readonly scoreNorms: readonly number[];
  /** ‖∇‖ at the end. */
  readonly gradientNorm: number;
  /** ‖∇‖ at the start. */
  readonly initialGradientNorm: number;
  /**
   * ‖∇‖ ≤ gradientTolerance · initialGradientNorm was reached within `steps`, or no step along −∇ decreases
   * the objective any more (100 halvings: a stationary point to rounding, e.g. a start at the minimum).
   */
  readonly converged: boolean;
}

/**
 * Gradient descent on (B, b) under DSM or ESM (MATH.md §13.1): each step starts from the
 * Barzilai–Borwein step ηₖ = ΔθᵀΔθ / ΔθᵀΔg (the first from η = 1) and backtracks until the Armijo
 * condition f(θ − η∇f) ≤ f(θ) − ½η‖∇f‖² holds, so every accepted step decreases f; BB only
 * chooses the trial step (plain Armijo GD needs ~10⁴ steps on the ill-conditioned DSM quadratics
 * at small s). The two ends are compared through `scoreNorms`.
 */
export function encoderGradientDescent(
  objective: EncoderObjective, p: EncoderOptimizationProblem, init: EncoderParameters, opts: EncoderDescentOptions = {},
): EncoderDescentResult {
  requireProblem(p);
  requireParameters(p, init, 'init');
  const steps = requireIntegerInRange('steps', opts.steps ?? 2000, 1, 1e7);
  const gtol = opts.gradientTolerance ?? 1e-10;
  const f = objective === 'dsm' ? encoderDsm : encoderEsm;
  const grad = objective === 'dsm' ? encoderDsmGradient : encoderEsmGradient;
  const nB = init.B.data.length;
  const flat = (g: EncoderGradient | EncoderParameters) => {
    const v = new Float64Array(nB + g.b.length);
    v.set(g.B.data);
    v.set(g.b, nB);
    return v;
  };
  let e: EncoderParameters = { B: { rows: init.B.rows, cols: init.B.cols, data: Float64Array.from(init.B.data) }, b: Float64Array.from(init.b) };
  let value = f(p, e);
  const values = [value], scoreNorms = [encoderScoreNorm(p, e)];
  let eta = 1;
  let prevTheta: Float64Array | undefined, prevGrad: Float64Array | undefined;
  let k = 0, gnorm = Infinity, g0 = NaN, converged = false;
  for (; k < steps; k++) {
    const g = flat(grad(p, e));
    const theta = flat(e);
    let g2 = 0;
    for (const v of g) g2 += v * v;
    gnorm = Math.sqrt(g2);
    if (k === 0) g0 = gnorm;
    if (gnorm <= gtol * g0) {
      converged = true;
      break;
    }
    if (prevTheta && prevGrad) {
      let ss = 0, sy = 0;
      for (let i = 0; i < g.length; i++) {
        const si = theta[i] - prevTheta[i], yi = g[i] - prevGrad[i];
        ss += si * si;
        sy += si * yi;
      }
      if (sy > 0 && Number.isFinite(ss / sy)) eta = ss / sy;
    }
    let accepted = false;
    for (let tries = 0; tries < 100; tries++) {
      const cand = theta.map((v, i) => v - eta * g[i]);
      const c: EncoderParameters = { B: { rows: e.B.rows, cols: e.B.cols, data: cand.subarray(0, nB) }, b: cand.subarray(nB) };
      const v2 = f(p, c);
      if (v2 <= value - 0.5 * eta * g2) {
        e = c; value = v2; accepted = true;
        break;
      }
      eta /= 2;
    }
    if (!accepted) {
      converged = true;
      break;
    }
    prevTheta = theta;
    prevGrad = g;
    values.push(value);
    scoreNorms.push(encoderScoreNorm(p, e));
  }
  return { encoder: e, steps: k, values, scoreNorms, gradientNorm: gnorm, initialGradientNorm: g0, converged };
}

/** The bias direction for a pretrained model (MATH.md §13.1), all terms exact. */
export interface BiasDirection {
  /** N at the ESM-optimal encoder (the reference E*). */
  readonly scoreNormEsmOptimal: number;
  /** N at the DSM-optimal encoder. */
  readonly scoreNormDsmOptimal: number;
  /** ESM(E_D) ≥ 0. */
  readonly esmAtDsmOptimal: number;
  /** DSM(E*) − DSM(E_D) ≥ 0. */
  readonly dsmImprovement: number;
  /** N(E_D) − N(E*) computed as ESM(E_D) + (DSM(E*) − DSM(E_D)) (the identity; no cancellation of d/s²). */
  readonly scoreNormIncrease: number;
  /** d/s²: the scale of every term (the conditional score norm of a point-mass posterior). */
  readonly scale: number;
  readonly dsmOptimal: EncoderParameters;
}

/** The pretrained model of `reference`, its ESM-optimal encoder (= reference) and DSM-optimal encoder compared. */
export function biasDirection(data: Gaussian, reference: LinearEncoder, level: NoiseLevel): BiasDirection {
  const p: EncoderOptimizationProblem = { data, model: pretrainedConditionalModel(data, reference, level), tau: reference.tau, level };
  const star: EncoderParameters = { B: reference.B, b: reference.b };
  const dsmOptimal = dsmOptimalEncoder(p);
  const esmD = encoderEsm(p, dsmOptimal);
  const improvement = encoderDsm(p, star) - encoderDsm(p, dsmOptimal);
  return {
    scoreNormEsmOptimal: encoderScoreNorm(p, star),
    scoreNormDsmOptimal: encoderScoreNorm(p, dsmOptimal),
    esmAtDsmOptimal: esmD,
    dsmImprovement: improvement,
    scoreNormIncrease: esmD + improvement,
    scale: data.dim / (level.s * level.s),
    dsmOptimal,
  };
}

/** One row of the figure "DSM and ESM over the encoder gain". */
export interface EncoderGainRow {
  readonly gain: number;
  readonly dsm: number;
  readonly esm: number;
  readonly scoreNorm: number;
}

/**
 * Figure-ready profile over the encoder's gain: B = gain · B* ÷ ‖B*‖_F (b = b*), for the pretrained
 * model of `reference`. ESM is 0 at gain ‖B*‖_F; DSM keeps decreasing past it (towards B_D).
 * DSM is reported minus d/s² (the part that does not depend on the encoder).
 */
export function encoderGainProfile(data: Gaussian, reference: LinearEncoder, level: NoiseLevel, gains: readonly number[]): EncoderGainRow[] {
  const p: EncoderOptimizationProblem = { data, model: pretrainedConditionalModel(data, reference, level), tau: reference.tau, level };
  let nrm = 0;
  for (const v of reference.B.data) nrm += v * v;
  nrm = Math.sqrt(nrm);
  if (!(nrm > 0)) throw new InvalidArgumentError('reference.B', 0, 'a gain profile needs B* ≠ 0');
  const scaleDsm = data.dim / (level.s * level.s);
  return gains.map((gain) => {
    const e = { B: scale(reference.B, gain / nrm), b: reference.b };
    return { gain, dsm: encoderDsm(p, e) - scaleDsm, esm: encoderEsm(p, e), scoreNorm: encoderScoreNorm(p, e) };
  });
}

/**
 * The DSM minimizer along the reference ray B = r · B* ÷ ‖B*‖_F (b = b*): DSM is a quadratic in r,
 * so r_D = −β/(2α) from three evaluations. ESM's minimizer on the ray is r* = ‖B*‖_F;
 * r_D > r* exactly when dN/dr(r*) > 0 — the bias towards a more informative encoder.
 */
export function dsmOptimalGainOnRay(data: Gaussian, reference: LinearEncoder, level: NoiseLevel): { readonly esmGain: number; readonly dsmGain: number } {
  let nrm = 0;
  for (const v of reference.B.data) nrm += v * v;
  nrm = Math.sqrt(nrm);
  const [f0, f1, f2] = encoderGainProfile(data, reference, level, [0, nrm, 2 * nrm]).map((r) => r.dsm);
  // f(r) = α r² + β r + γ through r = 0, n, 2n
  const alpha = (f2 - 2 * f1 + f0) / (2 * nrm * nrm);
  const beta = (f1 - f0) / nrm - alpha * nrm;
  return { esmGain: nrm, dsmGain: -beta / (2 * alpha) };
}

