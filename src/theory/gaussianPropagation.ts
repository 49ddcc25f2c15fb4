import { type AffineGuidance, requireAffineDims } from '../diffusion/reverseSampler.ts';
import { type ReverseVarianceKind, reverseVariance } from '../diffusion/reverseVariance.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { type Matrix, type Vector, identity, zeros } from '../linalg/index.ts';
import { requireFiniteArray } from '../validate.ts';

/** Mean and covariance of a (possibly degenerate) Gaussian law. */
export interface GaussianMoments {
  readonly mean: Vector;
  readonly cov: Matrix;
}

/**
 * Exact law of the DDPM sampler with affine guidance g_t(x) = A_t x + b_t (MATH.md §4):
 * x_{t−1} = M_t x_t + c_t + σ_t z, M_t = (I + (1−α_t)A_t)/√α_t, c_t = (1−α_t) b_t/√α_t,
 * so m ← M m + c and S ← M S Mᵀ + σ_t² I. Start P̂_T = N(0, I) unless `start` is given.
 * Returns the moments of P̂_{t} for t = 0..T (index t).
 */
export function propagateAffineSampler(
  schedule: VPSchedule,
  guidance: AffineGuidance,
  variance: ReverseVarianceKind,
  dim: number,
  start?: GaussianMoments,
): GaussianMoments[] {
  const d = dim;
  const T = schedule.T;
  const out: GaussianMoments[] = new Array(T + 1);
  let m: Vector = start ? Float64Array.from(start.mean) : new Float64Array(d);
  let S: Matrix = start ? { rows: d, cols: d, data: Float64Array.from(start.cov.data) } : identity(d);
  out[T] = { mean: m, cov: S };
  const MS = new Float64Array(d * d);
  for (let t = T; t >= 1; t--) {
    const map = guidance(t);
    requireAffineDims(map, d, `guidance(t=${t})`);
    const alpha = schedule.alpha(t);
    const k = 1 / Math.sqrt(alpha), c = 1 - alpha;
    const M = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i * d + j] = k * ((i === j ? 1 : 0) + c * map.A.data[i * d + j]);
    const mNew = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = k * c * map.b[i];
      for (let j = 0; j < d; j++) s += M[i * d + j] * m[j];
      mNew[i] = s;
    }
    // MS = M S, then S' = (M S) Mᵀ + σ² I, symmetrized.
    MS.fill(0);
    for (let i = 0; i < d; i++) for (let l = 0; l < d; l++) {
      const mil = M[i * d + l];
      if (mil === 0) continue;
      for (let j = 0; j < d; j++) MS[i * d + j] += mil * S.data[l * d + j];
    }
    const sNew = zeros(d, d);
    const v = reverseVariance(schedule, t, variance);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) {
      let s = 0;
      for (let l = 0; l < d; l++) s += MS[i * d + l] * M[j * d + l];
      if (i === j) s += v;
      sNew.data[i * d + j] = s;
      sNew.data[j * d + i] = s;
    }
    requireFiniteArray(`propagateAffineSampler.cov(t=${t - 1})`, sNew.data);
    requireFiniteArray(`propagateAffineSampler.mean(t=${t - 1})`, mNew);
    m = mNew;
    S = sNew;
    out[t - 1] = { mean: m, cov: S };
  }
  return out;
}

/**
 * log10 of Π_t ‖M_t‖_F, M_t = (I + (1−α_t)A_t)/√α_t: an upper bound on how much the
 * affine sampler can stretch its covariance's spread (S ← M S Mᵀ + σ²I grows by at
 * most ‖M_t‖² per step while its smallest eigenvalue stays ≥ σ_t²). When
 * 2 · this exceeds ~12, the propagated covariance's condition number can pass
 * 1e12 and float64 can no longer factor it: KLs are then not computable, though finite.
 */
export function affineSamplerGrowthLog10(schedule: VPSchedule, guidance: AffineGuidance, dim: number): number {
  let total = 0;
  for (let t = schedule.T; t >= 1; t--) {
    const map = guidance(t);
    requireAffineDims(map, dim, `guidance(t=${t})`);
    const alpha = schedule.alpha(t);
    const k = 1 / Math.sqrt(alpha), c = 1 - alpha;
    let f = 0;
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) f += (k * ((i === j ? 1 : 0) + c * map.A.data[i * dim + j])) ** 2;
    total += 0.5 * Math.log10(f);
  }
  return total;
}
