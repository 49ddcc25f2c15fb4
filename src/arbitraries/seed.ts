import fc from 'fast-check';

/** A Monte Carlo seed carried inside a generated case, so fast-check replays the draws. Shrinks to 0. */
export function mcSeed(): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 0x7fffffff });
}
