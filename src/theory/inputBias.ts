import { Gaussian } from '../gaussian/gaussian.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import {
  type Matrix, type Vector, addScaledIdentity, cholesky, choleskyInverse, matmul, matvec, scale, spdInverse, spdTraceInverse, transpose, zeros,
} from '../linalg/index.ts';
import { requireFiniteArray, requirePositive, requireIntegerInRange } from '../validate.ts';
import { type LinearEncoder, requireLinearEncoder } from '../models/linearEncoder.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { requireSymmetricFinite } from '../linalg/index.ts';
import { noisyTraceGap } from './noisyTraceGap.ts';


/**
 * Σ_{x|c} for the encoder c = B x_0 + b + τξ, x_0 ~ N(μ, Σ):
 * (Σ⁻¹ + BᵀB/τ²)⁻¹ (MATH.md §2, Theorem 2). B is k×d, τ > 0.
 */
export function encoderPosteriorCovariance(dataCov: Matrix, B: Matrix, tau: number): Matrix {
  requireSymmetricFinite(dataCov, 'dataCov');
  const d = dataCov.rows;
  if (B.cols !== d || B.rows < 1) throw new DimensionMismatchError('B', `k×${d} (k ≥ 1)`, `${B.rows}x${B.cols}`);
  requireFiniteArray('B', B.data);
  requirePositive('tau', tau);
  const prec = spdInverse(dataCov, 'dataCov');
  const BtB = matmul(transpose(B), B);
  const inv2 = 1 / (tau * tau);
  const m = zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      m.data[i * d + j] = prec.data[i * d + j] + 0.5 * inv2 * (BtB.data[i * d + j] + BtB.data[j * d + i]);
    }
  }
  return spdInverse(m, 'dataCov⁻¹ + BᵀB/τ²');
}

/** Σ_{x|c} of an encoder applied to Gaussian data (convenience). */
export function linearEncoderPosteriorCovariance(data: Gaussian, enc: LinearEncoder): Matrix {
  requireLinearEncoder(enc, data.dim);
  return encoderPosteriorCovariance(data.cov, enc.B, enc.tau);
}

/**
 * E_c E_{x_t|c}‖∇log q(x_t|c)‖² = tr((a²Σ_{x|c} + s²I)⁻¹) for x_0|c ~ N(Mc + m, Σ_{x|c})
 * (MATH.md §2, Theorem 2). Depends only on the posterior covariance.
 */
export function conditionalScoreNormTerm(posteriorCov: Matrix, level: NoiseLevel): number {
  requireSymmetricFinite(posteriorCov, 'posteriorCov');
  const { a, s } = requireNoiseLevel(level);
  return spdTraceInverse(addScaledIdentity(scale(posteriorCov, a * a), s * s), 'posteriorCov (a²Σ_{x|c} + s²I)');
}

/**
 * DSM − ESM for a conditional model s(x_t, c) (MATH.md §2, Theorem 2):
 * d/s² − tr((a²Σ_{x|c} + s²I)⁻¹), evaluated as (a²/s²) tr(Σ_{x|c}(a²Σ_{x|c} + s²I)⁻¹).
 * Depends on how c is produced: not a constant when the encoder is optimized.
 */
export function inputBiasGap(posteriorCov: Matrix, level: NoiseLevel): number {
  requirePsdForGap(posteriorCov);
  return noisyTraceGap(posteriorCov, requireNoiseLevel(level), 'posteriorCov');
}

function requirePsdForGap(m: Matrix): void {
  requireSymmetricFinite(m, 'posteriorCov');
  for (let i = 0; i < m.rows; i++) {
    if (!(m.data[i * m.rows + i] >= 0)) throw new InvalidArgumentError(`posteriorCov[${i}][${i}]`, m.data[i * m.rows + i], 'a covariance has a non-negative diagonal');
  }
}

/** The input-bias gap for an encoder on Gaussian data. */
export function encoderInputBiasGap(data: Gaussian, enc: LinearEncoder, level: NoiseLevel): number {
  return inputBiasGap(linearEncoderPosteriorCovariance(data, enc), level);
}

/** x_0 | c ~ N(M c + m, cov): the Gaussian conditional of a joint (x_0, c). */
export interface GaussianConditional {
  /** d×k */
  readonly M: Matrix;
  readonly m: Vector;
  /** Σ_{x|c}, d×d */
  readonly cov: Matrix;
}

/**
 * Conditional of the first `dataDim` coordinates of a joint Gaussian on the rest:
 * M = Σ_xc Σ_cc⁻¹, m = μ_x − M μ_c, Σ_{x|c} = Σ_xx − Σ_xc Σ_cc⁻¹ Σ_cx.
 */
export function gaussianConditional(joint: Gaussian, dataDim: number): GaussianConditional {
  if (!(joint instanceof Gaussian)) throw new InvalidArgumentError('joint', joint, 'must be a Gaussian over (x_0, c)');
  requireIntegerInRange('dataDim', dataDim, 1, joint.dim - 1);
  const n = joint.dim, d = dataDim, k = n - d;
  const block = (r0: number, c0: number, r: number, c: number) => {
    const out = zeros(r, c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[i * c + j] = joint.cov.data[(r0 + i) * n + c0 + j];
    return out;
  };
  const Sxx = block(0, 0, d, d), Sxc = block(0, d, d, k), Scc = block(d, d, k, k);
  const SccInv = choleskyInverse(cholesky(Scc, 'joint.cov (c block)'));
  const M = matmul(Sxc, SccInv);
  const MScx = matmul(M, transpose(Sxc));
  const cov = zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      cov.data[i * d + j] = Sxx.data[i * d + j] - 0.5 * (MScx.data[i * d + j] + MScx.data[j * d + i]);
    }
  }
  const muC = joint.mean.subarray(d);
  const Mmu = matvec(M, muC);
  const m = new Float64Array(d);
  for (let i = 0; i < d; i++) m[i] = joint.mean[i] - Mmu[i];
  return { M, m, cov };
}

/** The input-bias gap for a general joint Gaussian (x_0, c), x_0 = first `dataDim` coordinates. */
export function jointInputBiasGap(joint: Gaussian, dataDim: number, level: NoiseLevel): number {
  return inputBiasGap(gaussianConditional(joint, dataDim).cov, level);
}

/** q(x_t | c) = N(a(Mc + m), a²Σ_{x|c} + s²I) (MATH.md §2). */
export function conditionalNoisyMarginal(cond: GaussianConditional, c: ArrayLike<number>, level: NoiseLevel): Gaussian {
  if (c.length !== cond.M.cols) throw new DimensionMismatchError('c', cond.M.cols, c.length);
  const { a, s } = requireNoiseLevel(level);
  const mean = matvec(cond.M, c);
  for (let i = 0; i < mean.length; i++) mean[i] = a * (mean[i] + cond.m[i]);
  return new Gaussian(mean, addScaledIdentity(scale(cond.cov, a * a), s * s), 'q(x_t|c)');
}
