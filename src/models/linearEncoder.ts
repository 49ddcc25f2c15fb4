import { Gaussian } from '../gaussian/gaussian.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, type Vector, matmul, matvec, transpose, zeros } from '../linalg/index.ts';
import { requireFiniteArray, requirePositive } from '../validate.ts';
import { symmetricEigenvalues } from '../linalg/tridiagonalEigen.ts';

/** A noisy linear encoder c = B x_0 + b + τ ξ, ξ ~ N(0, I_k) (MATH.md §2, Theorem 2). B is k×d. */
export interface LinearEncoder {
  readonly B: Matrix;
  readonly b: Vector;
  readonly tau: number;
}

/** Validates an encoder against data dimension d; names the field. */
export function requireLinearEncoder(enc: LinearEncoder, d: number, field = 'encoder'): LinearEncoder {
  if (enc.B.cols !== d) throw new DimensionMismatchError(`${field}.B`, `k×${d}`, `${enc.B.rows}x${enc.B.cols}`);
  if (enc.B.rows < 1) throw new InvalidArgumentError(`${field}.B`, `${enc.B.rows}x${enc.B.cols}`, 'needs at least one row');
  if (enc.b.length !== enc.B.rows) throw new DimensionMismatchError(`${field}.b`, enc.B.rows, enc.b.length);
  requireFiniteArray(`${field}.B`, enc.B.data);
  requireFiniteArray(`${field}.b`, enc.b);
  requirePositive(`${field}.tau`, enc.tau);
  return enc;
}

/** Joint law of (x_0, c): N([μ; Bμ + b], [[Σ, ΣBᵀ], [BΣ, BΣBᵀ + τ²I]]), dimension d + k. */
export function encoderJointGaussian(data: Gaussian, enc: LinearEncoder): Gaussian {
  requireLinearEncoder(enc, data.dim);
  const d = data.dim, k = enc.B.rows, n = d + k;
  const SBt = matmul(data.cov, transpose(enc.B));
  const BSBt = matmul(enc.B, SBt);
  const cov = zeros(n, n);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov.data[i * n + j] = data.cov.data[i * d + j];
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < k; j++) {
      cov.data[i * n + d + j] = SBt.data[i * k + j];
      cov.data[(d + j) * n + i] = SBt.data[i * k + j];
    }
  }
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const v = 0.5 * (BSBt.data[i * k + j] + BSBt.data[j * k + i]) + (i === j ? enc.tau * enc.tau : 0);
      cov.data[(d + i) * n + d + j] = v;
      cov.data[(d + j) * n + d + i] = v;
    }
  }
  const mc = matvec(enc.B, data.mean);
  const mean = new Float64Array(n);
  mean.set(data.mean);
  for (let i = 0; i < k; i++) mean[d + i] = mc[i] + enc.b[i];
  return new Gaussian(mean, cov, 'encoderJoint');
}

/** One draw c = B x_0 + b + τ ξ into `out`; `xi` is scratch of length k. */
export function encodeInto(enc: LinearEncoder, x0: Float64Array, xi: Float64Array, out: Float64Array): Float64Array {
  const k = enc.B.rows, d = enc.B.cols, B = enc.B.data;
  for (let i = 0; i < k; i++) {
    let acc = enc.b[i] + enc.tau * xi[i];
    for (let j = 0; j < d; j++) acc += B[i * d + j] * x0[j];
    out[i] = acc;
  }
  return out;
}

/**
 * κ(Cov(x, c)) for c = Bx + b + τz: the condition number of the joint covariance that conditioning on c
 * inverts. Closed forms through q(x|c) carry rounding of order ε·κ (MATH.md §19.7).
 */
export function encoderJointConditionNumber(data: Gaussian, enc: LinearEncoder): number {
  let lo = Infinity, hi = 0;
  for (const v of symmetricEigenvalues(encoderJointGaussian(data, enc).cov, 'Cov(x, c)')) {
    lo = Math.min(lo, Math.abs(v));
    hi = Math.max(hi, Math.abs(v));
  }
  return lo > 0 ? hi / lo : Infinity;
}
