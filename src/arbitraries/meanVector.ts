import fc from 'fast-check';
import { simpleDouble } from './boundedDouble.ts';

/** A mean vector with entries in [−bound, bound] (default 3); shrinks to 0. */
export function meanVector(d: number, bound = 3): fc.Arbitrary<Float64Array> {
  return fc.array(simpleDouble(-bound, bound, 2), { minLength: d, maxLength: d }).map((xs) => Float64Array.from(xs));
}
