import fc from 'fast-check';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { simpleDouble } from './boundedDouble.ts';
import { gaussianOfDim } from './gaussian.ts';
import type { SpdMatrixConstraints } from './spdMatrix.ts';

/** A classification problem at one point: Gaussian classes, their prior π (a distribution) and x. */
export interface ClassifierPoint {
  readonly classes: Gaussian[];
  readonly weights: number[];
  readonly x0: number[];
}

/**
 * K ∈ [2, maxClasses] Gaussian classes in d ≤ maxDim, π = softmax of logits in [−1, 1], x ∈ [−pointBound,
 * pointBound]^d. Shrinks to two classes N(0, I), π uniform, x = 0 in d = 1.
 */
export function classifierPoint(opts: SpdMatrixConstraints & { maxDim?: number; maxClasses?: number; meanBound?: number; pointBound?: number } = {}): fc.Arbitrary<ClassifierPoint> {
  const spd = { maxConditionNumber: opts.maxConditionNumber ?? 30, centreRange: opts.centreRange ?? 0.3, meanBound: opts.meanBound ?? 1.5 };
  const bound = opts.pointBound ?? 2;
  return fc.integer({ min: 1, max: opts.maxDim ?? 2 }).chain((d) =>
    fc.integer({ min: 2, max: opts.maxClasses ?? 3 }).chain((K) =>
      fc.tuple(
        fc.array(gaussianOfDim(d, spd), { minLength: K, maxLength: K }),
        fc.array(simpleDouble(-1, 1, 2), { minLength: K, maxLength: K }),
        fc.array(simpleDouble(-bound, bound, 2), { minLength: d, maxLength: d }),
      ).map(([classes, logits, x0]) => {
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const total = e.reduce((a, b) => a + b, 0);
        return { classes, weights: e.map((v) => v / total), x0 };
      }),
    ),
  );
}
