import { Gaussian } from '../gaussian/gaussian.ts';
import type { QuadraticMoments } from '../gaussian/affineExpectation.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, type Vector, addScaledIdentity, cholesky, choleskySolve, matmul, matvec, scale, symmetricEigen, transpose, zeros } from '../linalg/index.ts';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import { type AffineGaussianSetting, affineObjectiveGradient, affineObjectiveMoments } from '../objectives/affineGaussianObjective.ts';
import { type FlowCoefficients, conditionalTargetVariance, noiseVariance } from './flowPath.ts';

/*
 * Conditional flow matching (CFM) against flow matching (FM) for Gaussian data and an affine
 * velocity model v(x) = W x + b (MATH.md §19.2), losses without the ½:
 *   CFM(v) = E_{x₀,ε,ξ} ‖v(x_t) − u_t‖²,        FM(v) = E_{x_t} ‖v(x_t) − v*_t(x_t)‖²,
 * with v*_t(x) = E[u_t | x_t = x] the marginal velocity (Lipman et al. 2023, eq. 8). For
 * x₀ ~ N(μ, Σ): x_t ~ N(aμ, S), S = a²Σ + (s² + r²)I, Cov(u_t, x_t) = K = ȧaΣ + (ṡs + ṙr)I, so
 *   v*_t(x) = A x + c,  A = K S⁻¹,  c = ȧμ − aAμ,
 * and CFM − FM = E tr Cov(u_t | x_t) = Σ_i conditionalTargetVariance(λ_i) — independent of (W, b)
 * (Lipman et al. 2023, Theorem 2). Both objectives are expectations of ‖Lz + l‖² over a jointly
 * Gaussian z (src/objectives/affineGaussianObjective.ts), so their means, exact per-draw variances
 * and gradients are closed forms.
 *
 * An affine velocity model is an AffineScoreModel used as a vector field (f(x) = A x + b).
 */
export type AffineVelocityModel = AffineScoreModel;

/** v*_t(x) = A x + c for Gaussian data. */
export interface AffineVelocityField {
  readonly A: Matrix;
  readonly c: Vector;
}

/** S = a²Σ + (s² + r²)I, the covariance of x_t. */
export function flowMarginalCovariance(data: Gaussian, co: FlowCoefficients): Matrix {
  return addScaledIdentity(scale(data.cov, co.a * co.a), noiseVariance(co));
}

/** The marginal velocity of Gaussian data: A = K S⁻¹, c = ȧμ − aAμ. */
export function gaussianMarginalVelocity(data: Gaussian, co: FlowCoefficients): AffineVelocityField {
  const d = data.dim;
  const S = flowMarginalCovariance(data, co);
  const K = addScaledIdentity(scale(data.cov, co.da * co.a), co.ds * co.s + co.dr * co.r);
  // A = K S⁻¹ = (S⁻¹ K)ᵀ (K and S are polynomials in Σ: they commute and are symmetric).
  const L = cholesky(S, 'flow marginal covariance a²Σ + (s² + r²)I');
  const A = zeros(d, d);
  const col = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) col[i] = K.data[i * d + j];
    const x = choleskySolve(L, col);
    for (let i = 0; i < d; i++) A.data[j * d + i] = x[i];
  }
  const Amu = matvec(A, data.mean);
  const c = Float64Array.from(data.mean, (m, i) => co.da * m - co.a * Amu[i]);
  return { A, c };
}

/** v*_t(x) into `out`. */
export function evaluateVelocityField(f: AffineVelocityField, x: ArrayLike<number>, out: Float64Array): Float64Array {
  const d = f.c.length, A = f.A.data;
  for (let i = 0; i < d; i++) {
    let acc = f.c[i];
    for (let j = 0; j < d; j++) acc += A[i * d + j] * x[j];
    out[i] = acc;
  }
  return out;
}

/**
 * The θ-independent constant C_t = CFM − FM = E tr Cov(u_t | x_t) = Σ_i Var_λᵢ(u | x_t) over the
 * eigenvalues λ_i of Σ (MATH.md §19.2). For the rectified path: Σ_i λ_i/((1 − t)²λ_i + t²): d at t = 0,
 * tr Σ at t = 1.
 */
export function flowConstant(data: Gaussian, co: FlowCoefficients): number {
  const { values } = symmetricEigen(data.cov, 'data.cov');
  let C = 0;
  for (const l of values) C += conditionalTargetVariance(co, Math.max(l, 0));
  return C;
}

/** The same constant from its eigenvalues (the bias calculator's spectral route). */
export function flowConstantFromEigenvalues(eigenvalues: ArrayLike<number>, co: FlowCoefficients): number {
  let C = 0;
  for (let i = 0; i < eigenvalues.length; i++) C += conditionalTargetVariance(co, eigenvalues[i]);
  return C;
}

/**
 * CFM as an affine-Gaussian objective: z = (x₀, ε[, ξ]) ~ N((μ, 0), diag(Σ, I[, I])), model input
 * x_t = a x₀ + s ε + r ξ, residual v(x_t) − u_t (G = −[ȧI ṡI ṙI]). ξ is dropped when r = ṙ = 0.
 */
export function cfmSetting(data: Gaussian, co: FlowCoefficients): AffineGaussianSetting {
  const d = data.dim;
  const blocks = co.r === 0 && co.dr === 0 ? 2 : 3;
  const n = blocks * d;
  const m = new Float64Array(n);
  m.set(data.mean);
  const S = zeros(n, n), U = zeros(d, n), G = zeros(d, n);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) S.data[i * n + j] = data.cov.data[i * d + j];
    for (let b = 1; b < blocks; b++) S.data[(b * d + i) * n + b * d + i] = 1;
    U.data[i * n + i] = co.a;
    U.data[i * n + d + i] = co.s;
    G.data[i * n + i] = -co.da;
    G.data[i * n + d + i] = -co.ds;
    if (blocks === 3) {
      U.data[i * n + 2 * d + i] = co.r;
      G.data[i * n + 2 * d + i] = -co.dr;
    }
  }
  return { m, S, U, u0: new Float64Array(d), G, g0: new Float64Array(d) };
}

/** FM as an affine-Gaussian objective: z = x_t ~ N(aμ, S), target v*_t(x_t) = A x_t + c. */
export function fmSetting(data: Gaussian, co: FlowCoefficients): AffineGaussianSetting {
  const d = data.dim;
  const { A, c } = gaussianMarginalVelocity(data, co);
  const U = zeros(d, d);
  for (let i = 0; i < d; i++) U.data[i * d + i] = 1;
  return { m: data.mean.map((v) => co.a * v), S: flowMarginalCovariance(data, co), U, u0: new Float64Array(d), G: scale(A, -1), g0: c.map((v) => -v) };
}

function requireModel(model: AffineVelocityModel, data: Gaussian): void {
  if (!(model instanceof AffineScoreModel)) throw new InvalidArgumentError('model', model, 'must be an affine model (AffineScoreModel used as a velocity field)');
  if (!(data instanceof Gaussian)) throw new InvalidArgumentError('data', data, 'must be a Gaussian');
  if (model.dim !== data.dim) throw new DimensionMismatchError('model.A', `${data.dim}x${data.dim}`, `${model.dim}x${model.dim}`);
}

/** CFM(v) at one time: mean and the exact variance of one draw of ‖v(x_t) − u_t‖². */
export function cfmAffine(model: AffineVelocityModel, data: Gaussian, co: FlowCoefficients): QuadraticMoments {
  requireModel(model, data);
  return affineObjectiveMoments(cfmSetting(data, co), model.A, model.b);
}

/** FM(v) at one time (mean and exact per-draw variance). */
export function fmAffine(model: AffineVelocityModel, data: Gaussian, co: FlowCoefficients): QuadraticMoments {
  requireModel(model, data);
  return affineObjectiveMoments(fmSetting(data, co), model.A, model.b);
}

function flatGradient(g: { W: Matrix; b: Vector }, d: number): Float64Array {
  const out = new Float64Array(d * d + d);
  out.set(g.W.data);
  out.set(g.b, d * d);
  return out;
}

/** ∇_θ CFM, θ = (vec W row-major, b). */
export function cfmAffineGradient(model: AffineVelocityModel, data: Gaussian, co: FlowCoefficients): Float64Array {
  requireModel(model, data);
  return flatGradient(affineObjectiveGradient(cfmSetting(data, co), model.A, model.b), model.dim);
}

/** ∇_θ FM, θ = (vec W row-major, b). */
export function fmAffineGradient(model: AffineVelocityModel, data: Gaussian, co: FlowCoefficients): Float64Array {
  requireModel(model, data);
  return flatGradient(affineObjectiveGradient(fmSetting(data, co), model.A, model.b), model.dim);
}

/** The marginal velocity as an affine model (FM = 0 there; CFM = C_t, its minimum). */
export function marginalVelocityModel(data: Gaussian, co: FlowCoefficients): AffineVelocityModel {
  const f = gaussianMarginalVelocity(data, co);
  return new AffineScoreModel(f.A, f.c, 'marginal velocity');
}

/** Cov(u_t | x_t) as a matrix: Cov(u) − K S⁻¹ Kᵀ (for tests of the spectral constant). */
export function conditionalTargetCovariance(data: Gaussian, co: FlowCoefficients): Matrix {
  const Cu = addScaledIdentity(scale(data.cov, co.da * co.da), co.ds * co.ds + co.dr * co.dr);
  const K = addScaledIdentity(scale(data.cov, co.da * co.a), co.ds * co.s + co.dr * co.r);
  const { A } = gaussianMarginalVelocity(data, co);
  const AKt = matmul(A, transpose(K));
  const out = zeros(data.dim, data.dim);
  for (let i = 0; i < out.data.length; i++) out.data[i] = Cu.data[i] - AKt.data[i];
  return out;
}
