import fc from 'fast-check';
import { Gaussian } from '../gaussian/gaussian.ts';
import { dimension } from './dimension.ts';
import { meanVector } from './meanVector.ts';
import { type SpdMatrixConstraints, spdMatrix } from './spdMatrix.ts';

export interface GaussianConstraints extends SpdMatrixConstraints {
  /** Fixed dimension; otherwise generated in [minDim, maxDim] (default 1..8). */
  readonly dim?: number;
  readonly minDim?: number;
  readonly maxDim?: number;
  readonly meanBound?: number;
}

/** N(μ, Σ) of dimension `d`; shrinks to N(0, I). */
export function gaussianOfDim(d: number, c: GaussianConstraints = {}): fc.Arbitrary<Gaussian> {
  return fc.tuple(meanVector(d, c.meanBound), spdMatrix(d, c)).map(([m, s]) => new Gaussian(m, s));
}

/** N(μ, Σ) of generated dimension; shrinks to N(0, 1) in d = 1. */
export function gaussian(c: GaussianConstraints = {}): fc.Arbitrary<Gaussian> {
  if (c.dim !== undefined) return gaussianOfDim(c.dim, c);
  return dimension({ min: c.minDim, max: c.maxDim }).chain((d) => gaussianOfDim(d, c));
}
