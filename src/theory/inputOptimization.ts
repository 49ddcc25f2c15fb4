import { type Weighting, lossWeight } from '../diffusion/lossWeighting.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { type Parameterization, fromScore } from '../diffusion/parameterization.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, addScaledIdentity, matmul, scale, spdInverse, transpose, zeros } from '../linalg/index.ts';
import { encoderPosteriorCovariance } from './inputBias.ts';
import { bilinearGaussianMoments } from '../gaussian/bilinearExpectation.ts';
import { type LinearEncoder, requireLinearEncoder } from '../models/linearEncoder.ts';

/*
 * Optimizing the conditioning input of a DSM loss (Xu 2025 Theorem 2, MATH.md §7.6), on a user's
 * loss as it is written: data x_0 ~ N(μ, Σ) (d), an encoder c = B x_0 + b + τ ξ (k), a frozen
 * conditional network in the user's parameterization P, f(x_t, c) = W x_t + U c + b_f, and the
 * per-sample loss ℓ = (λ_t/d′)‖f − target_P‖² (d′ = d for 'mean'), x_t = a x_0 + s ε.
 *   per sample:      ∂ℓ/∂c = (2λ_t/d′) Uᵀ(f − target_P);
 *   DSM_P(φ) = E ℓ,  with r = f − target = L_x x_0 + τU ξ + (sW − T_ε) ε + (U b + b_f),
 *                    L_x = aW + UB − T_x (target_P = T_x x_0 + T_ε ε):
 *     ∇_B DSM_P = (2λ/d′) Uᵀ (L_x (Σ + μμᵀ) + l μᵀ),   ∇_b DSM_P = (2λ/d′) Uᵀ (L_x μ + l),  l = Ub + b_f;
 *   DSM_P − ESM_P = (λκ²/d′)(d/s² − tr K), K = (a²Σ_{x|c} + s²I)⁻¹, Σ_{x|c} = (Σ⁻¹ + BᵀB/τ²)⁻¹, κ the
 *     slope of P's output in the score (the same identity as Theorem 2 in score space, scaled);
 *   ∇_B tr K = (2a²/τ²) B Σ_{x|c} K² Σ_{x|c},  ∇_b tr K = 0, so
 *     ∇_φ ESM_P = ∇_φ DSM_P + (λκ²/d′) ∇_φ tr K,
 *     bias = ∇_φ DSM_P − ∇_φ ESM_P = −(λκ²/d′) ∇_φ tr K:
 * descending DSM adds +η(λκ²/d′)∇_B tr K to the encoder, raising E‖∇log q(x_t|c)‖² = tr K — the
 * bias towards a higher score norm. With no encoder (c independent of x_0) tr K is constant: no bias.
 */

export interface ConditionalAffineNetwork {
  /** d×d */
  readonly W: Matrix;
  /** d×k */
  readonly U: Matrix;
  readonly b: ArrayLike<number>;
}

export interface InputOptimizationSetting {
  readonly data: Gaussian;
  readonly encoder: LinearEncoder;
  readonly network: ConditionalAffineNetwork;
  readonly parameterization: Parameterization;
  readonly weighting: Weighting;
  readonly reduction: 'mean' | 'sum';
}

/** Gradients with respect to the encoder's (B, b). */
export interface EncoderGradient {
  /** k×d */
  readonly B: Matrix;
  readonly b: Float64Array;
}

export interface InputGradientsAtLevel {
  readonly dsm: EncoderGradient;
  readonly esm: EncoderGradient;
  /** dsm − esm = −(λκ²/d′) ∇ tr K. */
  readonly bias: EncoderGradient;
  /** E‖∇log q(x_t|c)‖² = tr K. */
  readonly scoreNorm: number;
  /** λ_t κ²/d′, the factor between score-space and the user's units. */
  readonly factor: number;
}

/** target_P = T_x x_0 + T_ε ε (scalars times I): ε: (0, 1); x_0: (1, 0); v: (−s, a); score: (0, −1/s). */
export function targetCoefficients(p: Parameterization, level: NoiseLevel): { tx: number; te: number } {
  const { a, s } = level;
  switch (p) {
    case 'eps':
      return { tx: 0, te: 1 };
    case 'x0':
      return { tx: 1, te: 0 };
    case 'v':
      return { tx: -s, te: a };
    case 'score':
      return { tx: 0, te: -1 / s };
  }
}

/** κ: the slope of the P-output in the score (ε: −s, x_0: s²/a, v: −s/a, score: 1). */
export function parameterizationSlope(p: Parameterization, level: NoiseLevel): number {
  const zero = Float64Array.of(0);
  return fromScore(p, Float64Array.of(1), zero, level)[0] - fromScore(p, zero, zero, level)[0];
}

function requireSetting(s: InputOptimizationSetting): { d: number; k: number } {
  const d = s.data.dim, k = s.encoder.B.rows;
  requireLinearEncoder(s.encoder, d);
  if (s.network.W.rows !== d || s.network.W.cols !== d) throw new DimensionMismatchError('network.W', `${d}x${d}`, `${s.network.W.rows}x${s.network.W.cols}`);
  if (s.network.U.rows !== d || s.network.U.cols !== k) throw new DimensionMismatchError('network.U', `${d}x${k}`, `${s.network.U.rows}x${s.network.U.cols}`);
  if (s.network.b.length !== d) throw new DimensionMismatchError('network.b', d, s.network.b.length);
  return { d, k };
}

/** The conditional loss's per-sample setting: the network, the parameterization, the weighting. */
export interface ConditionalLoss {
  readonly network: ConditionalAffineNetwork;
  readonly parameterization: Parameterization;
  readonly weighting: Weighting;
  readonly reduction: 'mean' | 'sum';
}

/** ∂ℓ/∂c of one sample: (2λ/d′)Uᵀ(W x_t + U c + b_f − target); ᾱ = a² sets λ. */
export function conditionalInputGradient(loss: ConditionalLoss, level: NoiseLevel, x0: ArrayLike<number>, eps: ArrayLike<number>, c: ArrayLike<number>): Float64Array {
  const d = x0.length, k = c.length;
  const { W, U, b } = loss.network;
  if (W.rows !== d || U.rows !== d || U.cols !== k || b.length !== d) throw new DimensionMismatchError('network', `W ${d}×${d}, U ${d}×${k}, b ${d}`, `W ${W.rows}×${W.cols}, U ${U.rows}×${U.cols}, b ${b.length}`);
  const { a, s: sd } = level;
  const { tx, te } = targetCoefficients(loss.parameterization, level);
  const lam = lossWeight(loss.weighting, a * a) / (loss.reduction === 'mean' ? d : 1);
  const r = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let f = b[i];
    for (let j = 0; j < d; j++) f += W.data[i * d + j] * (a * x0[j] + sd * eps[j]);
    for (let j = 0; j < k; j++) f += U.data[i * k + j] * c[j];
    r[i] = f - (tx * x0[i] + te * eps[i]);
  }
  const g = new Float64Array(k);
  for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) g[j] += 2 * lam * U.data[i * k + j] * r[i];
  return g;
}

/** ∂ℓ/∂c of one sample of the setting. */
export function sampleInputGradient(s: InputOptimizationSetting, level: NoiseLevel, x0: ArrayLike<number>, eps: ArrayLike<number>, c: ArrayLike<number>): Float64Array {
  requireSetting(s);
  return conditionalInputGradient(s, level, x0, eps, c);
}

/** E ∇_φ DSM_P, ∇_φ ESM_P and the bias at one noise level (ᾱ = a² for the weighting). */
export function inputGradientsAtLevel(s: InputOptimizationSetting, level: NoiseLevel): InputGradientsAtLevel {
  const { d, k } = requireSetting(s);
  const { a, s: sd } = level;
  const { tx } = targetCoefficients(s.parameterization, level);
  const kappa = parameterizationSlope(s.parameterization, level);
  const lam = lossWeight(s.weighting, a * a) / (s.reduction === 'mean' ? d : 1);
  const { W, U, b: bf } = s.network;
  const { B, b } = s.encoder;
  const mu = s.data.mean, Sigma = s.data.cov;
  // L_x = aW + UB − T_x I, l = U b + b_f
  const UB = matmul(U, B);
  const Lx = zeros(d, d);
  for (let i = 0; i < d * d; i++) Lx.data[i] = a * W.data[i] + UB.data[i];
  for (let i = 0; i < d; i++) Lx.data[i * d + i] -= tx;
  const l = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    l[i] = bf[i];
    for (let j = 0; j < k; j++) l[i] += U.data[i * k + j] * b[j];
  }
  // E[r x_0ᵀ] = L_x (Σ + μμᵀ) + l μᵀ,  E r = L_x μ + l
  const second = zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) second.data[i * d + j] = Sigma.data[i * d + j] + mu[i] * mu[j];
  const Erx = matmul(Lx, second);
  const Er = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    Er[i] = l[i];
    for (let j = 0; j < d; j++) {
      Er[i] += Lx.data[i * d + j] * mu[j];
      Erx.data[i * d + j] += l[i] * mu[j];
    }
  }
  const Ut = transpose(U);
  const gB = scale(matmul(Ut, Erx), 2 * lam);
  const gb = new Float64Array(k);
  for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) gb[j] += 2 * lam * U.data[i * k + j] * Er[i];
  // tr K and its B-gradient (2a²/τ²) B Σ_{x|c} K² Σ_{x|c}.
  const post = encoderPosteriorCovariance(Sigma, B, s.encoder.tau);
  const K = spdInverse(addScaledIdentity(scale(post, a * a), sd * sd), 'a²Σ_{x|c} + s²I');
  let trK = 0;
  for (let i = 0; i < d; i++) trK += K.data[i * d + i];
  const PK = matmul(post, K);
  const dTrK = scale(matmul(B, matmul(PK, transpose(PK))), (2 * a * a) / (s.encoder.tau * s.encoder.tau));
  const factor = (lam * kappa * kappa);
  const esmB = zeros(k, d);
  const biasB = zeros(k, d);
  for (let i = 0; i < k * d; i++) {
    biasB.data[i] = -factor * dTrK.data[i];
    esmB.data[i] = gB.data[i] - biasB.data[i];
  }
  return { dsm: { B: gB, b: gb }, esm: { B: esmB, b: Float64Array.from(gb) }, bias: { B: biasB, b: new Float64Array(k) }, scoreNorm: trK, factor };
}

/** Frobenius norm of an encoder gradient. */
export function encoderGradientNorm(g: EncoderGradient): number {
  let s = 0;
  for (const v of g.B.data) s += v * v;
  for (const v of g.b) s += v * v;
  return Math.sqrt(s);
}

/** Σ_t p_t · (per-level gradients), over a set of levels with probabilities (a timestep distribution). */
export function weightedInputGradients(s: InputOptimizationSetting, levels: readonly { readonly level: NoiseLevel; readonly p: number }[]): InputGradientsAtLevel {
  if (levels.length === 0) throw new InvalidArgumentError('levels', levels, 'needs at least one noise level');
  const { d, k } = requireSetting(s);
  const acc = { dsm: { B: zeros(k, d), b: new Float64Array(k) }, esm: { B: zeros(k, d), b: new Float64Array(k) }, bias: { B: zeros(k, d), b: new Float64Array(k) }, scoreNorm: 0, factor: 0 };
  for (const { level, p } of levels) {
    const g = inputGradientsAtLevel(s, level);
    for (const key of ['dsm', 'esm', 'bias'] as const) {
      for (let i = 0; i < k * d; i++) acc[key].B.data[i] += p * g[key].B.data[i];
      for (let i = 0; i < k; i++) acc[key].b[i] += p * g[key].b[i];
    }
    acc.scoreNorm += p * g.scoreNorm;
    acc.factor += p * g.factor;
  }
  return acc;
}

/**
 * Exact mean and variance of one sample's directional derivative D = ⟨∂ℓ/∂c, V x_0 + v⟩ along a direction
 * (V, v) of the encoder's (B, b): D is bilinear in z = (x_0, ξ, ε) (src/gaussian/bilinearExpectation.ts),
 * E D = ⟨∇_φ DSM_P, (V, v)⟩. V is k×d row-major.
 */
export function directionalInputGradientMoments(s: InputOptimizationSetting, level: NoiseLevel, V: ArrayLike<number>, v: ArrayLike<number>): { mean: number; variance: number } {
  const { d, k } = requireSetting(s);
  const n = 2 * d + k;
  const { a, s: sd } = level;
  const { tx, te } = targetCoefficients(s.parameterization, level);
  const lam = (2 * lossWeight(s.weighting, a * a)) / (s.reduction === 'mean' ? d : 1);
  const L = zeros(d, n), Y = zeros(d, n), S = zeros(n, n);
  const l = new Float64Array(d), y = new Float64Array(d), m = new Float64Array(n);
  for (let i = 0; i < d; i++) {
    m[i] = s.data.mean[i];
    for (let j = 0; j < d; j++) S.data[i * n + j] = s.data.cov.data[i * d + j];
    S.data[(d + k + i) * n + d + k + i] = 1;
  }
  for (let q = 0; q < k; q++) S.data[(d + q) * n + d + q] = 1;
  const U = s.network.U.data, W = s.network.W.data, B = s.encoder.B.data;
  for (let i = 0; i < d; i++) {
    l[i] = lam * s.network.b[i];
    for (let q = 0; q < k; q++) l[i] += lam * U[i * k + q] * s.encoder.b[q];
    for (let j = 0; j < d; j++) {
      let ub = 0, uv = 0;
      for (let q = 0; q < k; q++) {
        ub += U[i * k + q] * B[q * d + j];
        uv += U[i * k + q] * V[q * d + j];
      }
      L.data[i * n + j] = lam * (a * W[i * d + j] + ub - (i === j ? tx : 0));
      L.data[i * n + d + k + j] = lam * (sd * W[i * d + j] - (i === j ? te : 0));
      Y.data[i * n + j] = uv;
    }
    for (let q = 0; q < k; q++) {
      L.data[i * n + d + q] = lam * s.encoder.tau * U[i * k + q];
      y[i] += U[i * k + q] * v[q];
    }
  }
  return bilinearGaussianMoments(L, l, Y, y, m, S);
}
