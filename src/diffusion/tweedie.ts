import type { DataDistribution } from '../gaussian/mixture.ts';
import type { Vector } from '../linalg/index.ts';
import { marginal } from './forward.ts';
import type { NoiseLevel } from './noiseLevel.ts';

/** Exact marginal score ∇ log q_t(x) of Gaussian or mixture data. */
export function marginalScore(data: DataDistribution, level: NoiseLevel, x: ArrayLike<number>): Vector {
  return marginal(data, level).score(x);
}

/** Tweedie: E[x_0 | x_t = x] = (x + s² ∇ log q_t(x)) / a. */
export function tweedieDenoiser(data: DataDistribution, level: NoiseLevel, x: ArrayLike<number>): Vector {
  const sc = marginalScore(data, level, x);
  const { a, s } = level;
  return sc.map((v, i) => (x[i] + s * s * v) / a);
}
