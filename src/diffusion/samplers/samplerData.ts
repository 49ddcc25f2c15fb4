import { DimensionMismatchError } from '../../errors.ts';
import { type Matrix, requirePSD } from '../../linalg/index.ts';
import { requireFiniteArray } from '../../validate.ts';
import type { SampleShape } from './sampleShape.ts';

/**
 * Gaussian data for sampler quality (MATH.md §5.5): every pixel's C channels are N(μ[·,p], Σ_C)
 * with one channel covariance Σ_C, independent across pixels. For a vector shape [d] this is
 * N(μ, Σ) with a full d×d Σ. The exact network is then a per-pixel channel mix, so image-sized
 * requests stay small and laws reduce to one C-dimensional block.
 */
export interface SamplerData {
  readonly shape: SampleShape;
  /** C×C. */
  readonly channelCov: Matrix;
  /** Length C·P, channel-major. */
  readonly mean: Float64Array;
}

export function samplerData(shape: SampleShape, channelCov: Matrix, mean: ArrayLike<number>): SamplerData {
  if (channelCov.rows !== shape.C || channelCov.cols !== shape.C) throw new DimensionMismatchError('data.channelCov', `${shape.C}x${shape.C}`, `${channelCov.rows}x${channelCov.cols}`);
  if (mean.length !== shape.size) throw new DimensionMismatchError('data.mean', shape.size, mean.length);
  requirePSD(channelCov, 'data.channelCov');
  requireFiniteArray('data.mean', mean);
  return { shape, channelCov, mean: Float64Array.from(mean) };
}
