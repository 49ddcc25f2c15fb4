import { DimensionMismatchError } from '../errors.ts';
import { choleskyLogDet, forwardSubstitute } from '../linalg/index.ts';
import { checkFiniteResult } from '../validate.ts';
import type { Gaussian } from './gaussian.ts';

/**
 * KL(p ‖ q) between two Gaussians N(μ_p, Σ_p), N(μ_q, Σ_q) in nats:
 * ½[tr(Σ_q⁻¹Σ_p) + (μ_q−μ_p)ᵀΣ_q⁻¹(μ_q−μ_p) − d + log|Σ_q| − log|Σ_p|].
 * Uses the stored Cholesky factors: tr(Σ_q⁻¹Σ_p) = ‖L_q⁻¹L_p‖_F².
 */
export function gaussianKL(p: Gaussian, q: Gaussian): number {
  if (p.dim !== q.dim) throw new DimensionMismatchError('gaussianKL.q', p.dim, q.dim);
  const d = p.dim;
  const Lp = p.chol.data;
  const col = new Float64Array(d);
  const y = new Float64Array(d);
  let tr = 0;
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) col[i] = Lp[i * d + j];
    forwardSubstitute(q.chol, col, y);
    for (let i = 0; i < d; i++) tr += y[i] * y[i];
  }
  for (let i = 0; i < d; i++) col[i] = q.mean[i] - p.mean[i];
  forwardSubstitute(q.chol, col, y);
  let maha = 0;
  for (let i = 0; i < d; i++) maha += y[i] * y[i];
  const kl = 0.5 * (tr + maha - d + choleskyLogDet(q.chol) - choleskyLogDet(p.chol));
  // Round-off can push an exact 0 slightly negative; KL ≥ 0 always.
  return checkFiniteResult('gaussianKL', Math.max(0, kl));
}
