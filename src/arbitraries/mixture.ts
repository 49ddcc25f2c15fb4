import fc from 'fast-check';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { simpleDouble } from './boundedDouble.ts';
import { dimension } from './dimension.ts';
import { type GaussianConstraints, gaussianOfDim } from './gaussian.ts';

export interface MixtureConstraints extends GaussianConstraints {
  /** Number of components in [1, maxComponents] (default 3). */
  readonly maxComponents?: number;
}

/** Σ π_k N(μ_k, Σ_k); weights from positive logits (shrink to equal weights), K shrinks to 1. */
export function mixtureOfDim(d: number, c: MixtureConstraints = {}): fc.Arbitrary<GaussianMixture> {
  return fc.integer({ min: 1, max: c.maxComponents ?? 3 }).chain((k) =>
    fc
      .tuple(
        fc.array(simpleDouble(-1.5, 1.5, 2), { minLength: k, maxLength: k }),
        fc.array(gaussianOfDim(d, c), { minLength: k, maxLength: k }),
      )
      .map(([logits, comps]) => {
        const w = logits.map(Math.exp);
        const z = w.reduce((a, b) => a + b, 0);
        return new GaussianMixture(w.map((x) => x / z), comps);
      }),
  );
}

export function mixture(c: MixtureConstraints = {}): fc.Arbitrary<GaussianMixture> {
  if (c.dim !== undefined) return mixtureOfDim(c.dim, c);
  return dimension({ min: c.minDim, max: c.maxDim }).chain((d) => mixtureOfDim(d, c));
}
