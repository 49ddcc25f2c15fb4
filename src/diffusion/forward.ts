import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture, type DataDistribution } from '../gaussian/mixture.ts';
import { DimensionMismatchError } from '../errors.ts';
import { type Vector, addScaledIdentity, scale } from '../linalg/index.ts';
import type { NoiseLevel } from './noiseLevel.ts';

/** x_t = a x_0 + s ε (the reparameterized forward kernel). */
export function addNoise(x0: ArrayLike<number>, eps: ArrayLike<number>, level: NoiseLevel, out: Vector = new Float64Array(x0.length)): Vector {
  if (eps.length !== x0.length) throw new DimensionMismatchError('addNoise.eps', x0.length, eps.length);
  for (let i = 0; i < x0.length; i++) out[i] = level.a * x0[i] + level.s * eps[i];
  return out;
}

/** ∇ log q(x_t|x_0) = −(x_t − a x_0)/s² (MATH.md §1). */
export function conditionalScore(xt: ArrayLike<number>, x0: ArrayLike<number>, level: NoiseLevel, out: Vector = new Float64Array(xt.length)): Vector {
  if (x0.length !== xt.length) throw new DimensionMismatchError('conditionalScore.x0', xt.length, x0.length);
  const inv = 1 / (level.s * level.s);
  for (let i = 0; i < xt.length; i++) out[i] = -(xt[i] - level.a * x0[i]) * inv;
  return out;
}

/** E‖∇ log q(x_t|x_0)‖² = d/s², for every data distribution (MATH.md §1). */
export function conditionalScoreSecondMoment(dim: number, level: NoiseLevel): number {
  return dim / (level.s * level.s);
}

/** N(μ, Σ) pushed through the kernel: N(aμ, a²Σ + s²I). */
export function gaussianMarginal(data: Gaussian, level: NoiseLevel): Gaussian {
  const { a, s } = level;
  const mean = data.mean.map((m) => a * m);
  return new Gaussian(mean, addScaledIdentity(scale(data.cov, a * a), s * s), 'marginal');
}

/** Each component pushed through the kernel; weights unchanged (MATH.md §1). */
export function mixtureMarginal(data: GaussianMixture, level: NoiseLevel): GaussianMixture {
  return new GaussianMixture(data.weights, data.components.map((c) => gaussianMarginal(c, level)), 'marginal');
}

/** The marginal q_t of Gaussian or mixture data. */
export function marginal(data: Gaussian, level: NoiseLevel): Gaussian;
export function marginal(data: GaussianMixture, level: NoiseLevel): GaussianMixture;
export function marginal(data: DataDistribution, level: NoiseLevel): DataDistribution;
export function marginal(data: DataDistribution, level: NoiseLevel): DataDistribution {
  return data instanceof Gaussian ? gaussianMarginal(data, level) : mixtureMarginal(data, level);
}
