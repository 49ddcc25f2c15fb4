import fc from 'fast-check';
import { meanVector } from '../../arbitraries/meanVector.ts';
import { rotation } from '../../arbitraries/rotation.ts';
import { fromEigen } from '../../arbitraries/spdMatrix.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import type { DataDistribution } from '../../gaussian/mixture.ts';
import { toRows } from '../../linalg/index.ts';

export const SPD = { maxConditionNumber: 1e4, centreRange: 1, meanBound: 2 } as const;

/** x_0 = μ + L u (u within a few standard deviations). */
export function pointNear(g: Gaussian, u: readonly number[]): Float64Array {
  const x = Float64Array.from(g.mean);
  for (let i = 0; i < g.dim; i++) for (let k = 0; k <= i; k++) x[i] += g.chol.data[i * g.dim + k] * u[k];
  return x;
}

export function describeData(g: DataDistribution): unknown {
  if (g instanceof Gaussian) return { mean: Array.from(g.mean), cov: toRows(g.cov) };
  return { weights: Array.from(g.weights), components: g.components.map((c) => describeData(c)) };
}

/** A fixed, moderately anisotropic 2-d Gaussian for figures. */
export function figureGaussian(): Gaussian {
  return new Gaussian([0.8, -0.4], { rows: 2, cols: 2, data: Float64Array.from([1.5, 0.3, 0.3, 0.4]) });
}

/**
 * N(μ, Q diag(λ) Qᵀ), d ∈ [1, maxDim], log10 λ_i = (k + k_i)/100 with centre k ∈ [−50, 50] and
 * spreads k_i ∈ [−100, 100] (cond ≤ 100, as SPD). A Gaussian-data DDPM with the exact score
 * and σ_t² = β_t is exact for every T iff every λ_i = 1 (its reverse kernel has variance
 * β_t λ_{t−1}/λ_t, λ_t = α_t λ_{t−1} + β_t): 'unit' draws exactly those (Σ = QQᵀ, I up to
 * rounding), 'non-unit' everything else (some λ_i ≠ 1, so |log10 λ_i| ≥ 0.01). Shrinks to
 * d = 1, Q = I, μ = 0 and the eigenvalue closest to 1.
 */
export function gaussianByEigenvalues(kind: 'unit' | 'non-unit', maxDim = 3, meanBound = SPD.meanBound): fc.Arbitrary<Gaussian> {
  return fc.integer({ min: 1, max: maxDim }).chain((d) =>
    fc
      .record({
        mean: meanVector(d, meanBound),
        q: rotation(d),
        centre: kind === 'unit' ? fc.constant(0) : fc.integer({ min: -50, max: 50 }),
        spreads: fc.array(kind === 'unit' ? fc.constant(0) : fc.integer({ min: -100, max: 100 }), { minLength: d, maxLength: d }),
      })
      .filter(({ centre, spreads }) => kind === 'unit' || spreads.some((k) => k + centre !== 0))
      .map(({ mean, q, centre, spreads }) => new Gaussian(mean, fromEigen(q, spreads.map((k) => 10 ** ((centre + k) / 100))))),
  );
}

export const T_SWEEP = [25, 50, 100, 200, 400, 800, 1600];
