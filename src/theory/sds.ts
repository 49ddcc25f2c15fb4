import { Gaussian } from '../gaussian/gaussian.ts';
import { type QuadraticMoments, affineSquaredNormMoments } from '../gaussian/affineExpectation.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, type Vector, cholesky, matmul, transpose, zeros, addScaledIdentity } from '../linalg/index.ts';
import { checkFiniteResult, requireFinite, requireFiniteArray, requireIntegerInRange, requirePositive } from '../validate.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { requirePSD } from '../linalg/index.ts';
import { noisyTraceGap } from './noisyTraceGap.ts';
import { gaussianMarginalPrecision } from './vincentScoreFunction.ts';

/**
 * The data-distribution (DreamFusion/SDS) setting, MATH.md §2 Corollary: the input
 * distribution p_φ = N(μ, Σ) is optimized against a frozen score — here the exact
 * score of the target marginal, s*(x) = −P*(x − aμ*), P* = (a²Σ* + s²I)⁻¹.
 *   DSM(φ) = E_{x_0~p_φ, ε}‖s*(x_t) + ε/s‖²
 *          = tr(P*²(a²Σ + s²I)) + a²‖P*(μ − μ*)‖² − 2 tr P* + d/s²
 *   ESM(φ) = E_{x_t~q_φ,t}‖s*(x_t) − ∇log q_φ,t(x_t)‖²  (Fisher divergence)
 *          = tr((P_φ − P*)² Σ_φ,t) + a²‖P*(μ − μ*)‖²,  Σ_φ,t = a²Σ + s²I, P_φ = Σ_φ,t⁻¹
 *   DSM − ESM = d/s² − tr P_φ (the input-dependent "constant").
 */

/** The optimized input distribution N(mean, cov); cov may be singular (cov = 0 is the point mass). */
export interface InputDistribution {
  readonly mean: ArrayLike<number>;
  readonly cov: Matrix;
}

function requireInput(input: InputDistribution, target: Gaussian, field = 'input'): void {
  if (!(target instanceof Gaussian)) throw new InvalidArgumentError('target', target, 'must be a Gaussian');
  if (input.mean.length !== target.dim) throw new DimensionMismatchError(`${field}.mean`, target.dim, input.mean.length);
  requireFiniteArray(`${field}.mean`, input.mean);
  if (input.cov.rows !== target.dim || input.cov.cols !== target.dim) {
    throw new DimensionMismatchError(`${field}.cov`, `${target.dim}x${target.dim}`, `${input.cov.rows}x${input.cov.cols}`);
  }
  requirePSD(input.cov, `${field}.cov`);
}

/** DSM(φ) as E‖Lz + l‖², z = (x_0, ε) ~ N((μ, 0), diag(Σ, I)), with its exact per-sample variance. */
export function sdsDsmMoments(input: InputDistribution, target: Gaussian, level: NoiseLevel): QuadraticMoments {
  requireInput(input, target);
  const { a, s } = requireNoiseLevel(level);
  const d = target.dim, n = 2 * d;
  const P = gaussianMarginalPrecision(target.cov, level, 'target.cov (marginal)');
  // residual = −P*(a x_0 + s ε − a μ*) + ε/s
  const L = zeros(d, n);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const p = P.data[i * d + j];
      L.data[i * n + j] = -a * p;
      L.data[i * n + d + j] = -s * p + (i === j ? 1 / s : 0);
    }
  }
  const l = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let acc = 0;
    for (let j = 0; j < d; j++) acc += P.data[i * d + j] * target.mean[j];
    l[i] = a * acc;
  }
  const m = new Float64Array(n);
  for (let i = 0; i < d; i++) m[i] = input.mean[i];
  const S = zeros(n, n);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) S.data[i * n + j] = input.cov.data[i * d + j];
    S.data[(d + i) * n + d + i] = 1;
  }
  return affineSquaredNormMoments(L, l, m, S);
}

/** DSM(φ) of the SDS setting (closed form). */
export function sdsDsm(input: InputDistribution, target: Gaussian, level: NoiseLevel): number {
  return checkFiniteResult('sdsDsm', sdsDsmMoments(input, target, level).mean);
}

/** ESM(φ) as E‖Lz + l‖², z = x_t ~ N(aμ, a²Σ + s²I), L = P_φ − P*, l = a(P*μ* − P_φμ); exact per-sample variance. */
export function sdsEsmMoments(input: InputDistribution, target: Gaussian, level: NoiseLevel): QuadraticMoments {
  requireInput(input, target);
  const { a, s } = requireNoiseLevel(level);
  const d = target.dim;
  const P = gaussianMarginalPrecision(target.cov, level, 'target.cov (marginal)');
  const St = addScaledIdentity(scaleM(input.cov, a * a), s * s);
  const Pphi = gaussianMarginalPrecision(input.cov, level, 'input.cov (marginal)');
  const L = zeros(d, d);
  for (let i = 0; i < d * d; i++) L.data[i] = Pphi.data[i] - P.data[i];
  const l = new Float64Array(d);
  const m = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let acc = 0;
    for (let j = 0; j < d; j++) acc += P.data[i * d + j] * target.mean[j] - Pphi.data[i * d + j] * input.mean[j];
    l[i] = a * acc;
    m[i] = a * input.mean[i];
  }
  return affineSquaredNormMoments(L, l, m, St);
}

/** ESM(φ) of the SDS setting (closed form): the Fisher divergence of q_φ,t from the target marginal. */
export function sdsEsm(input: InputDistribution, target: Gaussian, level: NoiseLevel): number {
  return checkFiniteResult('sdsEsm', sdsEsmMoments(input, target, level).mean);
}

/** DSM(φ) − ESM(φ) = d/s² − tr((a²Σ + s²I)⁻¹) ≥ 0; grows as Σ shrinks (the higher-score-norm bias). */
export function sdsGap(input: InputDistribution, target: Gaussian, level: NoiseLevel): number {
  requireInput(input, target);
  return noisyTraceGap(input.cov, requireNoiseLevel(level), 'input.cov');
}

/** 1-D closed forms (MATH.md §2 Corollary): target N(μ*, v*), input N(μ, v), V* = a²v* + s². */
export function sdsDsm1d(mu: number, v: number, muStar: number, vStar: number, level: NoiseLevel): number {
  const { a, s } = require1d(mu, v, muStar, vStar, level);
  const Vs = a * a * vStar + s * s;
  return (a * a * ((mu - muStar) ** 2 + v) + s * s) / (Vs * Vs) - 2 / Vs + 1 / (s * s);
}

/** ESM(μ, v) = V (1/V − 1/V*)² + a²(μ − μ*)²/V*², V = a²v + s². */
export function sdsEsm1d(mu: number, v: number, muStar: number, vStar: number, level: NoiseLevel): number {
  const { a, s } = require1d(mu, v, muStar, vStar, level);
  const Vs = a * a * vStar + s * s, V = a * a * v + s * s;
  return V * (1 / V - 1 / Vs) ** 2 + (a * a * (mu - muStar) ** 2) / (Vs * Vs);
}

/** ∂DSM/∂μ = 2a²(μ − μ*)/V*², ∂DSM/∂v = a²/V*² > 0 (strictly increasing in v). */
export function sdsDsmGradient1d(mu: number, v: number, muStar: number, vStar: number, level: NoiseLevel): { mu: number; v: number } {
  const { a, s } = require1d(mu, v, muStar, vStar, level);
  const Vs = a * a * vStar + s * s;
  return { mu: (2 * a * a * (mu - muStar)) / (Vs * Vs), v: (a * a) / (Vs * Vs) };
}

/** ∂ESM/∂μ = 2a²(μ − μ*)/V*², ∂ESM/∂v = a²(1/V*² − 1/V²): zero exactly at v = v*. */
export function sdsEsmGradient1d(mu: number, v: number, muStar: number, vStar: number, level: NoiseLevel): { mu: number; v: number } {
  const { a, s } = require1d(mu, v, muStar, vStar, level);
  const Vs = a * a * vStar + s * s, V = a * a * v + s * s;
  return { mu: (2 * a * a * (mu - muStar)) / (Vs * Vs), v: a * a * (1 / (Vs * Vs) - 1 / (V * V)) };
}

function require1d(mu: number, v: number, muStar: number, vStar: number, level: NoiseLevel): NoiseLevel {
  requireFinite('mu', mu);
  requireFinite('muStar', muStar);
  requireFinite('v', v);
  if (!(v >= 0)) throw new InvalidArgumentError('v', v, 'a variance must be ≥ 0');
  requirePositive('vStar', vStar);
  return requireNoiseLevel(level);
}

/** Gradient of an SDS objective: ∂/∂μ, and G = ∂/∂Σ as a symmetric matrix (dF = tr(G dΣ)). */
export interface SdsGradient {
  readonly mean: Vector;
  readonly cov: Matrix;
}

/** ∇DSM: ∂μ = 2a²P*²(μ − μ*), ∂Σ = a²P*² (positive definite: DSM decreases along Σ → 0). */
export function sdsDsmGradient(input: InputDistribution, target: Gaussian, level: NoiseLevel): SdsGradient {
  requireInput(input, target);
  const { a } = requireNoiseLevel(level);
  const P = gaussianMarginalPrecision(target.cov, level, 'target.cov (marginal)');
  const P2 = matmul(P, P);
  return { mean: meanGradient(P2, input.mean, target.mean, a), cov: scaleM(P2, a * a) };
}

/** ∇ESM: ∂μ = 2a²P*²(μ − μ*), ∂Σ = a²(P*² − P_φ²) (zero at Σ = Σ*). */
export function sdsEsmGradient(input: InputDistribution, target: Gaussian, level: NoiseLevel): SdsGradient {
  requireInput(input, target);
  const { a } = requireNoiseLevel(level);
  const P = gaussianMarginalPrecision(target.cov, level, 'target.cov (marginal)');
  const Pphi = gaussianMarginalPrecision(input.cov, level, 'input.cov (marginal)');
  const P2 = matmul(P, P), Q2 = matmul(Pphi, Pphi);
  const G = zeros(P.rows, P.rows);
  for (let i = 0; i < G.data.length; i++) G.data[i] = a * a * (P2.data[i] - Q2.data[i]);
  return { mean: meanGradient(P2, input.mean, target.mean, a), cov: G };
}

function meanGradient(P2: Matrix, mu: ArrayLike<number>, muStar: ArrayLike<number>, a: number): Vector {
  const d = P2.rows;
  const out = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let acc = 0;
    for (let j = 0; j < d; j++) acc += P2.data[i * d + j] * (mu[j] - muStar[j]);
    out[i] = 2 * a * a * acc;
  }
  return out;
}

/** A minimizer of an SDS objective over N(μ, Σ). */
export interface SdsMinimizer {
  readonly mean: Vector;
  readonly cov: Matrix;
  /** The optimal value (the infimum when not attained). */
  readonly value: number;
  /** false: the infimum is approached as Σ → 0 (collapse) and not attained by a proper density. */
  readonly attained: boolean;
}

/** DSM: infimum at the point mass μ = μ*, Σ = 0 (collapse): value tr(s²P*²) − 2 tr P* + d/s². */
export function sdsDsmMinimizer(target: Gaussian, level: NoiseLevel): SdsMinimizer {
  const d = target.dim;
  const point: InputDistribution = { mean: target.mean, cov: zeros(d, d) };
  return { mean: Float64Array.from(target.mean), cov: zeros(d, d), value: sdsDsm(point, target, level), attained: false };
}

/** ESM: minimized at the target itself, μ = μ*, Σ = Σ*, value 0. */
export function sdsEsmMinimizer(target: Gaussian, level: NoiseLevel): SdsMinimizer {
  requireNoiseLevel(level);
  return { mean: Float64Array.from(target.mean), cov: { rows: target.dim, cols: target.dim, data: Float64Array.from(target.cov.data) }, value: 0, attained: true };
}

export interface SdsDescentOptions {
  /** Iterations (default 500). */
  readonly steps?: number;
  /** Stop when ‖∇‖ (in the factor parameterization) falls below this (default 1e-12). */
  readonly gradientTolerance?: number;
}

export interface SdsDescentResult {
  readonly mean: Vector;
  readonly cov: Matrix;
  readonly steps: number;
  /** Objective value after each accepted step (first entry: the initial value). */
  readonly values: readonly number[];
}

/**
 * Gradient descent on N(μ, F Fᵀ) under DSM or ESM (∂F = 2 G F): block-coordinate
 * steps on μ and F, each with Armijo backtracking and a step that doubles after each success. Used to show the direction of the
 * bias: DSM drives Σ → 0, ESM to Σ*.
 */
export function sdsGradientDescent(
  objective: 'dsm' | 'esm', init: InputDistribution, target: Gaussian, level: NoiseLevel, opts: SdsDescentOptions = {},
): SdsDescentResult {
  requireInput(init, target, 'init');
  const steps = requireIntegerInRange('steps', opts.steps ?? 500, 1, 1e7);
  const gtol = opts.gradientTolerance ?? 1e-12;
  const d = target.dim;
  const f = objective === 'dsm' ? sdsDsm : sdsEsm;
  const grad = objective === 'dsm' ? sdsDsmGradient : sdsEsmGradient;
  let mean = Float64Array.from(init.mean);
  let F = cholesky(addScaledIdentity(init.cov, 0), 'init.cov');
  let cov = matmul(F, transpose(F));
  let value = f({ mean, cov }, target, level);
  const values = [value];
  // Block-coordinate: a mean step and a factor step, each with its own Armijo step
  // size (the two blocks have very different curvatures, a²/V*² vs a⁴/V⁴·Σ). Armijo
  // constant ½: on a quadratic it accepts only η ≤ 1/L, so stiff directions contract
  // instead of oscillating (a small constant would accept η ≈ 2/L).
  let etaMean = 1, etaF = 1;
  let k = 0;
  for (; k < steps; k++) {
    const g = grad({ mean, cov }, target, level);
    const gF = scaleM(matmul(g.cov, F), 2);
    let gm = 0, gf = 0;
    for (const v of g.mean) gm += v * v;
    for (const v of gF.data) gf += v * v;
    if (gm + gf < gtol * gtol) break;
    let progressed = false;
    if (gm > 0) {
      for (let tries = 0; tries < 80; tries++) {
        const m2 = mean.map((v, i) => v - etaMean * g.mean[i]);
        const v2 = f({ mean: m2, cov }, target, level);
        if (v2 <= value - 0.5 * etaMean * gm) {
          mean = m2; value = v2; etaMean *= 2; progressed = true;
          break;
        }
        etaMean /= 2;
      }
    }
    if (gf > 0) {
      for (let tries = 0; tries < 80; tries++) {
        const F2 = zeros(d, d);
        for (let i = 0; i < d * d; i++) F2.data[i] = F.data[i] - etaF * gF.data[i];
        const c2 = symmetric(matmul(F2, transpose(F2)));
        const v2 = f({ mean, cov: c2 }, target, level);
        if (v2 <= value - 0.5 * etaF * gf) {
          F = F2; cov = c2; value = v2; etaF *= 2; progressed = true;
          break;
        }
        etaF /= 2;
      }
    }
    values.push(value);
    if (!progressed) break;
  }
  return { mean, cov, steps: k, values };
}

function scaleM(m: Matrix, c: number): Matrix {
  const out = zeros(m.rows, m.cols);
  for (let i = 0; i < m.data.length; i++) out.data[i] = c * m.data[i];
  return out;
}

function symmetric(m: Matrix): Matrix {
  const n = m.rows;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const v = 0.5 * (m.data[i * n + j] + m.data[j * n + i]);
    m.data[i * n + j] = v;
    m.data[j * n + i] = v;
  }
  return m;
}
