import fc from 'fast-check';
import type { ReverseVarianceKind } from '../diffusion/reverseVariance.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { simpleDouble } from './boundedDouble.ts';
import { gaussianOfDim } from './gaussian.ts';
import { mcSeed } from './seed.ts';
import type { SpdMatrixConstraints } from './spdMatrix.ts';

/**
 * A guided DDPM sampler with an exact Gaussian law: a Gaussian target, a perturbation dA of the
 * matched guidance's linear part (row-major d × d, 0 = matched), T steps, a reverse variance
 * and the Monte Carlo seed. Shrinks to d = 1, N(0, 1), dA = 0, T = 2, 'seed'.
 */
export interface AffineSamplerCase {
  readonly target: Gaussian;
  readonly dA: readonly number[];
  readonly T: number;
  readonly variance: ReverseVarianceKind;
  readonly seed: number;
}

export function affineSamplerCase(c: SpdMatrixConstraints & { meanBound?: number } = {}): fc.Arbitrary<AffineSamplerCase> {
  const spd = { maxConditionNumber: c.maxConditionNumber ?? 100, centreRange: c.centreRange ?? 0.5, meanBound: c.meanBound ?? 1.5 };
  return fc.integer({ min: 1, max: 3 }).chain((d) =>
    fc.record({
      target: gaussianOfDim(d, spd),
      dA: fc.array(simpleDouble(-0.5, 0.5, 2), { minLength: d * d, maxLength: d * d }),
      T: fc.integer({ min: 2, max: 12 }),
      variance: fc.constantFrom<ReverseVarianceKind>('seed', 'beta', 'posterior'),
      seed: mcSeed(),
    }),
  );
}
