import type { Gaussian } from '../gaussian/gaussian.ts';
import type { QuadraticMoments } from '../gaussian/affineExpectation.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, matmul, matvec, scale, symmetricEigen, zeros } from '../linalg/index.ts';
import { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import { type LinearEncoder, requireLinearEncoder } from '../models/linearEncoder.ts';
import { type AffineGaussianSetting, affineObjectiveMoments } from '../objectives/affineGaussianObjective.ts';
import type { ConditionedGaussianData } from '../objectives/conditionedData.ts';
import { concatColumns } from '../objectives/dsmEsmSettings.ts';
import { type FlowCoefficients, conditionalTargetVariance, noiseVariance } from './flowPath.ts';
import { gaussianMarginalVelocity } from './flowMatchingGaussian.ts';
import { linearEncoderPosteriorCovariance } from './inputBias.ts';
import { Gaussian as GaussianLaw } from '../gaussian/gaussian.ts';

/*
 * Optimizing the conditioning input through the conditional flow-matching loss (MATH.md §19.7) —
 * Xu 2025's Theorem 2 for flow matching. (x₀, c) jointly distributed, conditional velocity model
 * v(x_t, c), x_t depending on c only through x₀. Then
 *   CFM − FM = E_c E_{x_t|c} tr Cov(u_t | x_t, c)
 * (FM now against the conditional marginal velocity v*_t(x|c) = E[u_t | x_t = x, c]). For an encoder
 * c = Bx₀ + b + τξ on Gaussian data, x₀ | c ~ N(Mc + m, Σ_{x|c}) and the gap is
 *   G_t(Σ_{x|c}) = Σ_j conditionalTargetVariance(μ_j),   μ_j the eigenvalues of Σ_{x|c},
 * — for r = 0: (ṡa − ȧs)² Σ_j μ_j/(a²μ_j + s²) = β_t²(d/s² − tr((a²Σ_{x|c} + s²I)⁻¹)), the DSM gap times
 * β_t² (flowScoreLink.ts). It depends on the encoder: descending CFM in (B, b) descends FM + G_t, and G_t
 * grows with each μ_j, so the optimization is biased towards smaller posterior variance — a larger
 * conditional velocity norm E‖v*_t(x_t|c)‖² = E‖u_t‖² − G_t (E‖u_t‖² does not depend on the encoder).
 * Gradient: with g the derivative of conditionalTargetVariance in μ, ∇_B G_t = −(2/τ²) B Σ_{x|c} g(Σ_{x|c}) Σ_{x|c}.
 */

/** An affine conditional velocity model v(x, c) = A x + B c + b (an AffineConditionalScoreModel used as a vector field). */
export type AffineConditionalVelocityModel = AffineConditionalScoreModel;

/** CFM: z = (x₀, c, ε[, ξ]), model input (x_t, c), residual v − u_t. */
export function conditionalCfmSetting(cd: ConditionedGaussianData, co: FlowCoefficients): AffineGaussianSetting {
  const d = cd.dataDim, k = cd.condDim, j = d + k;
  const extra = co.r !== 0 || co.dr !== 0;
  const n = j + (extra ? 2 : 1) * d;
  const m = new Float64Array(n);
  m.set(cd.joint.mean);
  const S = zeros(n, n), U = zeros(j, n), G = zeros(d, n);
  for (let r = 0; r < j; r++) for (let c = 0; c < j; c++) S.data[r * n + c] = cd.joint.cov.data[r * j + c];
  for (let i = 0; i < d; i++) {
    S.data[(j + i) * n + j + i] = 1;
    U.data[i * n + i] = co.a;
    U.data[i * n + j + i] = co.s;
    G.data[i * n + i] = -co.da;
    G.data[i * n + j + i] = -co.ds;
    if (extra) {
      S.data[(j + d + i) * n + j + d + i] = 1;
      U.data[i * n + j + d + i] = co.r;
      G.data[i * n + j + d + i] = -co.dr;
    }
  }
  for (let i = 0; i < k; i++) U.data[(d + i) * n + d + i] = 1;
  return { m, S, U, u0: new Float64Array(j), G, g0: new Float64Array(d) };
}

/**
 * FM against the conditional marginal velocity: z = (x_t, c) ~ N((aμ_x, μ_c), [[a²Σ_xx + σ̃²I, aΣ_xc], [aΣ_cx, Σ_cc]]),
 * target v*_t(x|c) = A_c x + (ȧI − aA_c)(Mc + m), A_c the Gaussian marginal velocity matrix of N(·, Σ_{x|c}).
 */
export function conditionalFmSetting(cd: ConditionedGaussianData, co: FlowCoefficients): AffineGaussianSetting {
  const d = cd.dataDim, k = cd.condDim, j = d + k;
  const { M, m: mc, cov: post } = cd.conditional;
  const { A } = gaussianMarginalVelocity(new GaussianLaw(new Float64Array(d), post, 'x₀|c'), co);
  const T = scale(A, -co.a);
  for (let i = 0; i < d; i++) T.data[i * d + i] += co.da; // ȧI − aA_c
  const TM = matmul(T, M);
  const mean = Float64Array.from(cd.joint.mean);
  for (let i = 0; i < d; i++) mean[i] *= co.a;
  const S = zeros(j, j), J = cd.joint.cov.data, v = noiseVariance(co);
  for (let r = 0; r < j; r++) for (let c = 0; c < j; c++) S.data[r * j + c] = (r < d ? co.a : 1) * (c < d ? co.a : 1) * J[r * j + c] + (r === c && r < d ? v : 0);
  const G = zeros(d, j);
  for (let i = 0; i < d; i++) {
    for (let c = 0; c < d; c++) G.data[i * j + c] = -A.data[i * d + c];
    for (let c = 0; c < k; c++) G.data[i * j + d + c] = -TM.data[i * k + c];
  }
  const g0 = matvec(T, mc).map((x) => -x);
  const U = zeros(j, j);
  for (let i = 0; i < j; i++) U.data[i * j + i] = 1;
  return { m: mean, S, U, u0: new Float64Array(j), G, g0 };
}

function requireConditionalModel(model: AffineConditionalVelocityModel, cd: ConditionedGaussianData): void {
  if (!(model instanceof AffineConditionalScoreModel)) throw new InvalidArgumentError('model', model, 'must be an affine conditional model v(x, c) = Ax + Bc + b');
  if (model.dim !== cd.dataDim) throw new DimensionMismatchError('model.A', `${cd.dataDim}x${cd.dataDim}`, `${model.dim}x${model.dim}`);
  if (model.condDim !== cd.condDim) throw new DimensionMismatchError('model.B', `${cd.dataDim}x${cd.condDim}`, `${model.dim}x${model.condDim}`);
}

export function conditionalCfmAffine(model: AffineConditionalVelocityModel, cd: ConditionedGaussianData, co: FlowCoefficients): QuadraticMoments {
  requireConditionalModel(model, cd);
  return affineObjectiveMoments(conditionalCfmSetting(cd, co), concatColumns(model.A, model.B), model.b);
}

export function conditionalFmAffine(model: AffineConditionalVelocityModel, cd: ConditionedGaussianData, co: FlowCoefficients): QuadraticMoments {
  requireConditionalModel(model, cd);
  return affineObjectiveMoments(conditionalFmSetting(cd, co), concatColumns(model.A, model.B), model.b);
}

/** G_t = Σ_j Var_μⱼ(u | x_t, c) over the eigenvalues of a posterior covariance Σ_{x|c}. */
export function flowInputBiasGapOf(posteriorCov: Matrix, co: FlowCoefficients): number {
  const { values } = symmetricEigen(posteriorCov, 'posteriorCov');
  let g = 0;
  for (const mu of values) g += conditionalTargetVariance(co, Math.max(mu, 0));
  return g;
}

/** CFM − FM for the encoder c = Bx₀ + b + τξ on Gaussian data (MATH.md §19.7). */
export function flowInputBiasGap(data: Gaussian, encoder: LinearEncoder, co: FlowCoefficients): number {
  return flowInputBiasGapOf(linearEncoderPosteriorCovariance(data, encoder), co);
}

/** d/dμ of conditionalTargetVariance: [λ-part]′ by the quotient rule (MATH.md §19.7). */
export function conditionalTargetVarianceSlope(co: FlowCoefficients, mu: number): number {
  const den = co.a * co.a * mu + noiseVariance(co);
  const m1 = co.da * co.s - co.ds * co.a, m2 = co.da * co.r - co.dr * co.a, m3 = co.ds * co.r - co.dr * co.s;
  const p = m1 * m1 + m2 * m2;
  if (den === 0) return co.da * co.da;
  return (p * den - (p * mu + m3 * m3) * co.a * co.a) / (den * den);
}

/** ∇_B G_t = −(2/τ²) B Σ_{x|c} g(Σ_{x|c}) Σ_{x|c}; ∇_b G_t = 0 (the gap ignores the offset). */
export function flowInputBiasGapGradient(data: Gaussian, encoder: LinearEncoder, co: FlowCoefficients): Matrix {
  requireLinearEncoder(encoder, data.dim);
  const post = linearEncoderPosteriorCovariance(data, encoder);
  const { values, vectors } = symmetricEigen(post, 'posteriorCov');
  const d = data.dim;
  const gm = zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let acc = 0;
      for (let k = 0; k < d; k++) acc += vectors.data[i * d + k] * conditionalTargetVarianceSlope(co, Math.max(values[k], 0)) * vectors.data[j * d + k];
      gm.data[i * d + j] = acc;
    }
  }
  return scale(matmul(matmul(matmul(encoder.B, post), gm), post), -2 / (encoder.tau * encoder.tau));
}

/** E‖u_t‖² = ȧ²(tr Σ + ‖μ‖²) + (ṡ² + ṙ²)d: independent of the encoder. */
export function flowTargetSecondMoment(data: Gaussian, co: FlowCoefficients): number {
  let tr = 0, mm = 0;
  for (let i = 0; i < data.dim; i++) {
    tr += data.cov.data[i * data.dim + i];
    mm += data.mean[i] * data.mean[i];
  }
  return co.da * co.da * (tr + mm) + (co.ds * co.ds + co.dr * co.dr) * data.dim;
}

/** E‖v*_t(x_t|c)‖² = E‖u_t‖² − G_t: the conditional velocity norm CFM's input optimization favours. */
export function conditionalVelocityNorm(data: Gaussian, encoder: LinearEncoder, co: FlowCoefficients): number {
  return flowTargetSecondMoment(data, co) - flowInputBiasGap(data, encoder, co);
}
