import { Gaussian } from '../../gaussian/gaussian.ts';
import type { DataDistribution } from '../../gaussian/mixture.ts';
import { toRows } from '../../linalg/index.ts';

export const SPD = { maxConditionNumber: 100, centreRange: 0.5, meanBound: 2 } as const;

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

export const T_SWEEP = [25, 50, 100, 200, 400, 800, 1600];
